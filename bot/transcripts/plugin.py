"""The pytest plugin: every transcript in the configured folders is a test, one per file.

It ships inside the package (entry point `pytest11`), so a fork or a project with a new dialog
gets transcript tests from plain `pytest` with nothing to copy. Because an entry-point plugin
is loaded by every pytest run in the environment, it collects only in a project that asks for
it, by naming its transcript folders (this repository's pyproject.toml does, so a fork inherits
it):

    [tool.pytest.ini_options]
    kneebot_transcripts = ["tests/transcripts"]   # opt in: without it, nothing is collected
    kneebot_dialog = "dialogs/my_dialog.yaml"      # optional; default: the shipped dialog

The engine is imported only when a transcript runs, so the plugin costs other test runs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from bot.dialog import Dialog

_SUFFIXES = (".yaml", ".yml")
_DIALOG = pytest.StashKey["Dialog"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "kneebot_transcripts",
        "folders (relative to the rootdir) whose *.yaml files are kneebot dialog transcripts; "
        "unset, the kneebot plugin collects nothing",
        type="args",
        default=[],
    )
    parser.addini(
        "kneebot_dialog",
        "dialog file the transcripts replay against (default: the shipped knee-pain dialog)",
        default="",
    )


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix not in _SUFFIXES:
        return None
    config = parent.config
    roots = [config.rootpath / folder for folder in config.getini("kneebot_transcripts")]
    if any(file_path.is_relative_to(root) for root in roots):
        return TranscriptFile.from_parent(parent, path=file_path)
    return None


class TranscriptFile(pytest.File):
    """One transcript file. The file is read when its test runs, so a broken file fails as
    its own test (with file and line) instead of stopping the whole collection."""

    def collect(self) -> Iterator[pytest.Item]:
        yield TranscriptItem.from_parent(self, name=self.path.stem)


class TranscriptItem(pytest.Item):
    def runtest(self) -> None:
        from bot.transcripts.runner import TranscriptFailure, display_path, replay_file

        result = replay_file(Path(display_path(self.path)), dialog=_dialog(self.config))
        if result.failure is not None:
            raise TranscriptFailure(result.failure)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """The transcript report alone: a Python traceback into the runner helps nobody."""
        from bot.dialog.loader import DialogError
        from bot.transcripts.format import TranscriptError
        from bot.transcripts.runner import TranscriptFailure

        if isinstance(excinfo.value, (TranscriptFailure, TranscriptError, DialogError)):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"transcript {self.name}"


def _dialog(config: pytest.Config) -> Dialog:
    """The dialog, loaded and validated once per test session."""
    if _DIALOG not in config.stash:
        from bot.dialog.loader import load_dialog
        from bot.engine import default_dialog_path

        configured = config.getini("kneebot_dialog")
        path = config.rootpath / configured if configured else default_dialog_path()
        config.stash[_DIALOG] = load_dialog(path)
    return config.stash[_DIALOG]
