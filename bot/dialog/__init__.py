"""The dialog: what `dialogs/*.yaml` says, as typed data (`model`), and how a file becomes it
(`loader`, built on `fields`, `language`, `sections` and `checks`), failing with the file, line
and place.

The typed model is re-exported here, so `from bot.dialog import Dialog` reads as what it is.
"""

from bot.dialog.model import (
    ASSESS,
    CHOOSE,
    COMMANDS,
    PLACEHOLDERS,
    REQUIRED_LABELS,
    REQUIRED_MESSAGES,
    UNKNOWN,
    YES_NO,
    Cause,
    Dialog,
    Fact,
    Language,
    Outcome,
    Question,
    RedFlag,
    Sign,
    Step,
    Unclear,
    holds,
    placeholders_in,
    sentence_problems,
)

__all__ = [
    "ASSESS",
    "CHOOSE",
    "COMMANDS",
    "PLACEHOLDERS",
    "REQUIRED_LABELS",
    "REQUIRED_MESSAGES",
    "UNKNOWN",
    "YES_NO",
    "Cause",
    "Dialog",
    "Fact",
    "Language",
    "Outcome",
    "Question",
    "RedFlag",
    "Sign",
    "Step",
    "Unclear",
    "holds",
    "placeholders_in",
    "sentence_problems",
]
