"""The dialog in every language kneebot speaks, and which of them a person gets.

A dialog file may have translations beside it, one file per language named after it
(`knee_pain_es.yaml` for `knee_pain.yaml`), each with its own language file; `kneebot check`
makes sure they agree. A new conversation is held in the language of the person's locale when
there is a dialog for it (Discord's and Slack's user locale, the console's `--lang`), else in
the language a first message is written in, else the main dialog's. It keeps that language
until the person asks for another by name ("español", "english"), whatever language the
asking is in.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from collections.abc import Iterable
from concurrent.futures import Future
from pathlib import Path

from bot.dialog import Dialog
from bot.dialog.loader import load_dialog
from bot.turn import Dialogue

log = logging.getLogger(__name__)


def translations_of(path: Path) -> list[Path]:
    """The translations beside a dialog file: `<stem>_<anything>.yaml`, in name order."""
    return sorted(p for p in path.parent.glob(f"{path.stem}_*.yaml") if p.is_file())


def load_translations(path: Path) -> list[Dialog]:
    return [load_dialog(p) for p in translations_of(path)]


def fold(text: str) -> str:
    """A whole message as a language name is compared: lower case, no accents, no
    punctuation or extra spaces ("¡Español!" -> "espanol")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(letters.split())


class Languages:
    """Every language's `Dialogue`, the main dialog's first. Translations may still be loading
    (`Future`s, say while the console shows its greeting): they are waited for the first time
    another language could matter, never for a check held in the main language's first words."""

    def __init__(self, dialogs: Iterable[Dialog | Future[Dialog]]) -> None:
        self.dialogues: dict[str, Dialogue] = {}
        self._pending: list[Future[Dialog]] = []
        self._asks: dict[str, str] = {}
        self._lock = threading.Lock()
        for dialog in dialogs:
            if isinstance(dialog, Future):
                self._pending.append(dialog)
            else:
                self._add(dialog)
        self.default = next(iter(self.dialogues))
        self._link()

    def _add(self, dialog: Dialog) -> None:
        self.dialogues.setdefault(dialog.language.code, Dialogue(dialog))
        for word in dialog.language.switch_words:
            self._asks[fold(word)] = dialog.language.code

    def _link(self) -> None:
        for code, dialogue in self.dialogues.items():
            others = (d.dialog.language.switch_hint for c, d in self.dialogues.items() if c != code)
            dialogue.other_languages = " ".join(hint for hint in others if hint)

    def settle(self) -> None:
        """Wait for translations still loading; one that failed to load is logged and left
        out (the check goes on in the languages that loaded)."""
        if not self._pending:
            return
        with self._lock:
            for future in self._pending:
                try:
                    self._add(future.result())
                except Exception:
                    log.exception("a translation of the dialog could not be loaded; it is left out")
            self._pending = []
            self._link()

    def __getitem__(self, code: str) -> Dialogue:
        if code and code != self.default:
            self.settle()
        return self.dialogues.get(code or self.default) or self.dialogues[self.default]

    def of_locale(self, locale: str | None) -> str | None:
        """The language of a BCP 47 locale ("es-ES" -> "es") when kneebot speaks it."""
        if not locale:
            return None
        code = locale.replace("_", "-").split("-", 1)[0].lower()
        if code != self.default:
            self.settle()
        return code if code in self.dialogues else None

    def asked_for(self, text: str | None) -> str | None:
        """The language a whole message asks for by name, if any."""
        if not text or not text.strip():
            return None
        self.settle()
        return self._asks.get(fold(text))

    def written_in(self, text: str | None, tried: str) -> str | None:
        """Another language a message is plainly written in: the one whose reader takes it
        for its own, when the reader of `tried` found it foreign."""
        if not text:
            return None
        self.settle()
        for code, dialogue in self.dialogues.items():
            if code != tried and not dialogue.reader.read(text).foreign:
                return code
        return None
