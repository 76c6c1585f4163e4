"""The platform-neutral API every adapter calls: an `Incoming` in, a list of `Reply` out.

Around the pure `Dialogue.turn` this does the I/O of a turn, under the store's
per-conversation lock: drop duplicate deliveries, load, step, save or delete, forget. It never
lets an exception reach the person as silence: a store outage gets "try again in a moment",
anything else a generic apology, and the log gets ids and the traceback but never the text.
A stored conversation that cannot be read back is deleted, so the person starts afresh
instead of being locked out of their own conversation.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from bot.conversation import Conversation, CorruptConversation
from bot.dialog import Dialog
from bot.dialog.loader import check_translation, load_dialog
from bot.languages import Languages, translations_of
from bot.messages import Incoming, Reply
from bot.reading.reader import Reading
from bot.replies import COMMAND_TOKEN
from bot.store import Store, StoreBusy, StoreUnavailable
from bot.turn import Turn

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 10 * 60

Command = Literal["open", "help", "forget", "restart", "stop", "back"]
"""The commands a platform menu may send as `Engine.command` (the dialog's own command words
are for typing; these are the same commands, whatever the language)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class TurnRecord:
    """What metrics and logs may know about a turn: ids and labels, never what was said."""

    platform: str
    conversation: str
    event: str
    state_before: str | None
    state_after: str | None
    seconds: float
    started: bool = False
    result_kind: str | None = None
    cause: str | None = None
    urgency: str | None = None
    red_flag: str | None = None
    language: str = ""
    """The dialog language the turn was held in ("en", "es")."""


Observer = Callable[[TurnRecord], None]


_log_key = secrets.token_bytes(32)
"""The key of `conversation_id`: random per process until `set_log_key` gives the deployment's."""


def set_log_key(secret: bytes) -> None:
    """Key every log id of this process with the deployment's secret (`KNEEBOT_LOG_KEY`), so
    one conversation has the same id in every process and across restarts. Process-wide on
    purpose: the engine and the adapters must name a conversation alike in the logs."""
    global _log_key
    _log_key = hashlib.blake2s(secret, person=b"kneebot").digest()  # any length -> 32 bytes


def conversation_id(key: str) -> str:
    """A short pseudonym for logs, so a log line never names a person, channel or workspace.

    Keyed: platform ids are guessable (a workspace's member list), so an unkeyed hash of the
    conversation key could be reversed by hashing every candidate. Without the key, it cannot.
    """
    return hashlib.blake2s(key.encode(), digest_size=6, key=_log_key).hexdigest()


class Engine:
    """Runs turns of one dialog, in each language it has, against one store. Thread-safe;
    share one per process."""

    def __init__(
        self,
        dialog: Dialog,
        store: Store,
        *,
        clock: Callable[[], float] = time.time,
        observers: Sequence[Observer] = (),
        log_key: bytes | None = None,
        translations: Sequence[Dialog | Future[Dialog]] = (),
    ) -> None:
        """`translations`: the dialog in other languages (see `bot.languages`), or futures of
        them still loading. `log_key`: the
        deployment's secret for log ids (see `set_log_key`); None keeps the process's key.
        Expired conversations are purged once here, so a restart clears what idled out while
        the bot was down, even if nobody talks to it for a while."""
        if log_key is not None:
            set_log_key(log_key)
        self.languages = Languages([dialog, *translations])
        self.dialogue = self.languages[self.languages.default]
        self.store = store
        self.clock = clock
        self.observers = list(observers)
        self._store_down = False
        self._store_state = threading.Lock()
        self._next_purge = 0.0
        self._purge_now_and_then(clock())

    @property
    def dialog(self) -> Dialog:
        return self.dialogue.dialog

    def warm(self) -> None:
        """Build every language's reader in the background (seconds of spaCy and medspaCy);
        adapters call this once their first words are out. A message that comes first waits."""
        self.languages.settle()
        for dialogue in self.languages.dialogues.values():
            dialogue.reader.warm()

    def handle(self, incoming: Incoming) -> list[Reply]:
        began = time.perf_counter()
        now = self.clock()
        before: Conversation | None = None
        followed = False
        languages = self.languages
        asked = languages.asked_for(incoming.text) if incoming.button is None else None
        language = languages.of_locale(incoming.locale) or languages.default
        try:
            reading = languages[language].read(incoming)
            with self.store.lock(incoming.key):
                if incoming.event_id and not self.store.first_delivery(incoming.event_id, now=now):
                    self._record(incoming, "duplicate", None, None, began)
                    return []
                before = self._load(incoming.key, now, user=incoming.user)
                held = (before.language or languages.default) if before is not None else language
                if held != language and not asked:
                    reading = languages[held].read(incoming)
                unread = not (reading.findings or reading.answers or reading.numbers or reading.command)
                if not asked and (reading.foreign or (before is not None and unread and not reading.empty)):
                    # A check opened but told nothing yet (the console greets before anyone
                    # types) is still for a first message plainly in another language to set
                    # the language (not for one it merely cannot read: emoji, junk).
                    fresh = before is not None and not (before.answers or before.history) and reading.foreign
                    was = held
                    held, reading = self._written_in(
                        incoming, held, reading, started=before is not None and not fresh
                    )
                    followed = fresh and held != was  # (a warning sign told in it is answered, no note)
                language = asked or held
                if asked:
                    turn = self._switch(before, asked, incoming, now)
                else:
                    turn = languages[language].turn(before, incoming, now, reading)
                if turn.conversation is not None:
                    stored = "" if language == languages.default else language
                    turn = replace(turn, conversation=replace(turn.conversation, language=stored))
                replies = list(turn.replies)
                if followed and turn.result is None:  # say so (a warning sign's advice goes first)
                    replies.insert(0, languages[language].message("language_switched"))
                if turn.forget:
                    count = self.store.forget_user(incoming.user)
                    replies.append(languages[language].forgotten(count))
                elif turn.conversation is None:
                    if before is not None:
                        self.store.delete(incoming.key)
                else:
                    _keep_origin(turn.conversation, before, incoming)
                    self.store.save(turn.conversation)
        except StoreBusy as exc:  # the store answers; a stuck turn holds this one conversation
            log.warning("conversation %s is busy: %s", conversation_id(incoming.key), exc)
            self._record(incoming, "store_busy", None, None, began)
            return [languages[language].message("busy")]
        except StoreUnavailable as exc:
            self._store_failed(exc)
            self._record(incoming, "store_unavailable", None, None, began)
            return [languages[language].message("unavailable")]
        except Exception:
            log.exception("turn failed for conversation %s", conversation_id(incoming.key))
            self._record(incoming, "error", None, None, began)
            return [languages[language].message("error")]
        self._store_answered()
        self._record(incoming, turn.event, before, turn, began, language=language)
        self._purge_now_and_then(now)
        return replies

    def _written_in(
        self, incoming: Incoming, held: str, reading: Reading, *, started: bool
    ) -> tuple[str, Reading]:
        """A message in another language kneebot speaks (foreign to this check's reader, or,
        in a check under way, nothing it could read: Spanish word lists hold many English words):
        a first message (or one to a check that has learnt nothing yet) moves the check to it; a
        check under way keeps its language, unless
        the message tells of a warning sign, which is read and answered in the language it was
        told in."""
        other = self.languages.written_in(incoming.text, held)
        if other is None:
            return held, reading
        theirs = self.languages[other]
        read = theirs.read(incoming)
        if not started or any(s == "stated" for s in read.signs(theirs.dialog).values()):
            return other, read
        return held, reading

    def _switch(self, before: Conversation | None, language: str, incoming: Incoming, now: float) -> Turn:
        """The person asked for a language by name: a check in progress carries on in it at
        the same question (translations share every state and answer); otherwise a new one
        begins in it."""
        dialogue = self.languages[language]
        if before is None or not dialogue.machine.knows(before.state):
            opened = replace(incoming, text="", button=f"{COMMAND_TOKEN}|open")
            return dialogue.turn(None, opened, now)
        moved = replace(before, updated_at=now)
        said = [dialogue.message("language_switched")]
        if dialogue.dialog.is_terminal(moved.state):
            said.append(dialogue.replies.offer_start("finished"))
        else:
            said.append(dialogue.question_reply(moved))
        return Turn(replies=tuple(said), conversation=moved, event="language")

    def open(
        self,
        key: str,
        user: str,
        *,
        event_id: str | None = None,
        locale: str | None = None,
        origin: str | None = None,
    ) -> list[Reply]:
        """The person opened kneebot on purpose (a slash command, a button on a home page):
        carry on with a check in progress, or greet them and start a new one, even after a
        finished check. Duplicate deliveries are dropped like any turn's."""
        return self.command(key, user, "open", event_id=event_id, locale=locale, origin=origin)

    def command(
        self,
        key: str,
        user: str,
        name: Command,
        *,
        event_id: str | None = None,
        locale: str | None = None,
        origin: str | None = None,
    ) -> list[Reply]:
        """A command the person chose from a platform's own menu (a slash command option, a
        button on a home page) rather than typed: the same turn as typing it, in any language."""
        incoming = Incoming(
            key=key,
            user=user,
            button=f"{COMMAND_TOKEN}|{name}",
            event_id=event_id,
            locale=locale,
            origin=origin,
        )
        return self.handle(incoming)

    def forget_person(self, user: str) -> int:
        """Delete every conversation of one person without a turn: the platform told us their
        access was revoked. Returns how many; a store outage is logged and counts 0 (what is
        held then expires with the TTL)."""
        try:
            count = self.store.forget_user(user)
        except StoreUnavailable as exc:
            self._store_failed(exc)
            return 0
        log.info("deleted %d conversation(s) of a person whose access was revoked", count)
        return count

    def forget_place(self, place: str) -> int:
        """Delete every conversation held for a workspace or server the app was removed from
        (`bot.keys.place_ref`), and those started there. Returns how many; a store outage is
        logged and counts 0 (what is held then expires with the TTL)."""
        try:
            count = self.store.forget_place(place)
        except StoreUnavailable as exc:
            self._store_failed(exc)
            return 0
        log.info(
            "deleted %d conversation(s) of place %s, which removed the app", count, conversation_id(place)
        )
        return count

    def discard(self, key: str) -> None:
        """Delete one conversation the person never saw (say, a DM the platform refused).
        A store outage is ignored: the conversation then simply expires with the TTL."""
        try:
            with self.store.lock(key):
                self.store.delete(key)
        except StoreBusy:
            pass
        except StoreUnavailable as exc:
            self._store_failed(exc)

    def resume(self, key: str) -> list[Reply]:
        """Replies for someone opening a session with a conversation still in progress."""
        now = self.clock()
        try:
            try:
                conversation = self.store.load(key, now=now)
            except CorruptConversation:
                with self.store.lock(key):  # as in a turn: drop it under the lock
                    conversation = self._load(key, now)
        except StoreUnavailable as exc:
            self._store_failed(exc)
            return [self.dialogue.message("unavailable")]
        self._store_answered()
        return self.dialogue.resume(conversation)

    def _load(self, key: str, now: float, *, user: str | None = None) -> Conversation | None:
        """The stored conversation; one that cannot be read back (a schema change, a damaged
        row) is deleted, and the person simply starts afresh. Called under the key's lock.

        `user` is the person the platform says is talking (the adapter builds it with the key):
        a stored conversation naming anyone else is damage too, or the next save would file it
        under a person whose `forget` it then answers to, and the real person's would miss it."""
        try:
            conversation = self.store.load(key, now=now)
            if conversation is not None and user is not None and conversation.user != user:
                raise CorruptConversation("field user names another person than the one talking")
            return conversation
        except CorruptConversation as exc:
            # The id and the kind of damage only: the stored data holds health answers.
            log.warning("unreadable stored conversation %s deleted (%s)", conversation_id(key), exc)
            self.store.delete(key)
            return None

    def _store_failed(self, exc: StoreUnavailable) -> None:
        """Log an outage once, not on every turn while it lasts (turns run on many threads:
        the flag flips under a lock, so one outage is one line, and its end one more)."""
        with self._store_state:
            if self._store_down:
                return
            self._store_down = True
        log.error("conversation store unavailable: %s", exc)

    def _store_answered(self) -> None:
        with self._store_state:
            if not self._store_down:
                return
            self._store_down = False
        log.info("conversation store is back")

    def start_housekeeping(self, every: float = PURGE_INTERVAL_SECONDS) -> threading.Event:
        """Purge idle conversations every `every` seconds from a daemon thread, so a bot that
        nobody talks to still forgets on time. Set the returned event to stop it."""
        stop = threading.Event()

        def keep_house() -> None:
            while not stop.wait(every):
                try:
                    self._purge_now_and_then(self.clock())
                except Exception:
                    log.exception("housekeeping purge failed")

        threading.Thread(target=keep_house, name="kneebot-housekeeping", daemon=True).start()
        return stop

    def _purge_now_and_then(self, now: float) -> None:
        """Delete idle conversations at most every `PURGE_INTERVAL_SECONDS`; a purge the store
        could not do (say, a file locked at start-up) is tried again after the next turn."""
        if now < self._next_purge:
            return
        try:
            purged = self.store.purge_expired(now=now)
        except StoreUnavailable:
            return
        self._next_purge = now + PURGE_INTERVAL_SECONDS
        if purged:
            log.info("expired %d idle conversation(s)", purged)

    def _record(
        self,
        incoming: Incoming,
        event: str,
        before: Conversation | None,
        turn: Turn | None,
        began: float,
        *,
        language: str = "",
    ) -> None:
        seconds = time.perf_counter() - began
        after = turn.conversation if turn else None
        result = turn.result if turn else None
        record = TurnRecord(
            platform=incoming.key.split(":", 1)[0],
            conversation=conversation_id(incoming.key),
            event=event,
            state_before=before.state if before else None,
            state_after=after.state if after else None,
            seconds=seconds,
            started=bool(turn and turn.started),
            result_kind=result.kind if result else None,
            cause=result.cause if result else None,
            urgency=result.urgency if result else None,
            red_flag=result.red_flag if result else None,
            language=language or self.languages.default,
        )
        # One line per turn, fields as structured extras: `turn conversation=… event=…` in the
        # text format, separate keys in JSON. Ids and labels only, never what was said.
        log.info(
            "turn",
            extra={
                "conversation": record.conversation,
                "platform": record.platform,
                "event": event,
                "state_before": record.state_before,
                "state_after": record.state_after,
                "language": record.language,
                "ms": round(seconds * 1000, 3),
            },
        )
        for observer in self.observers:
            try:
                observer(record)
            except Exception:
                log.exception("turn observer failed")


def _keep_origin(conversation: Conversation, before: Conversation | None, incoming: Incoming) -> None:
    """A conversation keeps the first place it was opened from (`Incoming.origin`), through
    `restart` too, so leaving that place deletes it; one opened from nowhere in particular (a
    DM typed into) takes the place of the first turn that names one."""
    if not conversation.origin:
        conversation.origin = (before.origin if before else "") or incoming.origin or ""


def default_dialog_path() -> Path:
    import dialogs

    return Path(str(dialogs.DEFAULT))


def build_engine(
    store: Store,
    *,
    dialog_path: str | Path | None = None,
    observers: Sequence[Observer] = (),
    log_key: bytes | None = None,
) -> Engine:
    """Load and validate the dialog and its translations (failing loudly on a bad file), then
    make the engine."""
    path = Path(dialog_path or default_dialog_path())
    dialog = load_dialog(path)
    translations = [check_translation(dialog, p) for p in translations_of(path)]
    return Engine(dialog, store, observers=observers, log_key=log_key, translations=translations)
