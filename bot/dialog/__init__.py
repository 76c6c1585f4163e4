"""The dialog: what `dialogs/*.yaml` says, as typed data (`model`), and how a file becomes it
(`loader`, built on `fields`, `sections` and `checks`), failing with the file, line and place.

The typed model is re-exported here, so `from bot.dialog import Dialog` reads as what it is.
"""

from bot.dialog.model import (
    ASSESS,
    COMMANDS,
    PLACEHOLDERS,
    REQUIRED_LABELS,
    REQUIRED_MESSAGES,
    YES_NO,
    Answer,
    Cause,
    Dialog,
    Question,
    RedFlag,
    Sign,
    Unclear,
    placeholders_in,
    sentence_problems,
)

__all__ = [
    "ASSESS",
    "COMMANDS",
    "PLACEHOLDERS",
    "REQUIRED_LABELS",
    "REQUIRED_MESSAGES",
    "YES_NO",
    "Answer",
    "Cause",
    "Dialog",
    "Question",
    "RedFlag",
    "Sign",
    "Unclear",
    "placeholders_in",
    "sentence_problems",
]
