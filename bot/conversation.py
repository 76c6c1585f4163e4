"""A conversation is plain data: which dialog, where it stands, what the person answered.

Kept deliberately small (a state name, a dict of answers, a compact history for `back`) so
that one shared `transitions` machine can step any number of them and a stored conversation
stays well under 2 KB.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

CHECK_ID = re.compile(r"[0-9a-f]{8}")
"""What a check id looks like: short, and free of the `|` that separates a button token's parts."""


def new_check_id() -> str:
    """A fresh id for a new check, so a button drawn in an earlier check is never taken for one
    of this check's, even though both start at the same question and step."""
    return secrets.token_hex(4)


class CorruptConversation(ValueError):
    """A stored conversation that cannot be read back. The message names the problem, never
    the stored data (which holds health answers)."""


@dataclass(eq=False, kw_only=True)
class Conversation:
    """One person's check, as stored between turns.

    `history` holds one entry per turn that learnt something, `[state, {fact: its value before
    that turn, or null}]`, so `back` can undo exactly one turn, including facts picked up in
    passing and answers that changed an earlier one.
    `step` counts turns that changed the state; a button carries the step it was drawn at, so a
    click on an older copy of the question is recognised as stale. `check` names this check: a
    restart makes a new conversation with a new one, so a button from before it is stale too.
    `origin` is the place (`bot.keys.place_ref`) a conversation held outside it was started
    from, or "" (see `Incoming.origin`); it is stored only when set, so most conversations stay
    as they were.
    """

    key: str
    user: str
    dialog: str
    version: int
    state: str
    answers: dict[str, str] = field(default_factory=dict)
    history: list[list[Any]] = field(default_factory=list)
    step: int = 0
    started_at: float = 0.0
    updated_at: float = 0.0
    origin: str = ""
    check: str = field(default_factory=new_check_id)
    language: str = ""
    """The dialog language the check is held in ("es"); "" for the default language. Stored
    only when set, so a conversation keeps its language across restarts and processes."""

    def to_json(self) -> str:
        # Spelled out rather than dataclasses.asdict, whose deep copy was half of a turn's cost.
        fields = {
            "key": self.key,
            "user": self.user,
            "dialog": self.dialog,
            "version": self.version,
            "state": self.state,
            "answers": self.answers,
            "history": self.history,
            "step": self.step,
            "started_at": self.started_at,
            "updated_at": self.updated_at,
            "check": self.check,
        }
        if self.origin:
            fields["origin"] = self.origin
        if self.language:
            fields["language"] = self.language
        return json.dumps(fields, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes, *, key: str | None = None, user: str | None = None) -> Conversation:
        """The stored conversation, or `CorruptConversation` for anything that does not decode
        to one (not JSON, a field renamed or missing after a schema change, a wrong type, a
        damaged history), so a caller has exactly one error to handle instead of whatever
        `json`, `__init__` or, worse, a later turn would raise. Everything a turn relies on is
        checked here: a row that passes can be stepped, undone, expired and forgotten.

        `key` and `user` are what the store itself filed the row under (its key, its person
        index). They are authoritative: a row whose JSON names another key or person is damage,
        never a redirect, because the next save writes where the JSON points."""
        try:
            fields = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError: ValueErrors
            raise CorruptConversation(f"not JSON: {type(exc).__name__}") from None
        if not isinstance(fields, dict) or set(fields) - _OPTIONAL.keys() != _FIELD_TYPES.keys():
            raise CorruptConversation("not the fields of a conversation")
        for name, kind in (*_FIELD_TYPES.items(), *_OPTIONAL.items()):
            value = fields.get(name, "")
            if not isinstance(value, kind) or isinstance(value, bool):
                raise CorruptConversation(f"field {name} has the wrong type")
        if not all(isinstance(v, str) for v in fields["answers"].values()):
            raise CorruptConversation("field answers has the wrong type")
        if not all(_is_history_entry(entry) for entry in fields["history"]):
            raise CorruptConversation("field history has the wrong shape")
        if fields["step"] < 0:
            raise CorruptConversation("field step is negative")
        if not (math.isfinite(fields["started_at"]) and math.isfinite(fields["updated_at"])):
            raise CorruptConversation("a timestamp is not a finite number")  # NaN would never expire
        if not (fields["key"] and fields["user"]):
            raise CorruptConversation("field key or user is empty")
        fields.setdefault("check", _check_before_ids(fields["key"], fields["started_at"]))
        if not (isinstance(fields["check"], str) and CHECK_ID.fullmatch(fields["check"])):
            raise CorruptConversation("field check is not a check id")
        if key is not None and fields["key"] != key:
            raise CorruptConversation("field key names another conversation")
        if user is not None and fields["user"] != user:
            raise CorruptConversation("field user names another person than the store's index")
        return cls(**fields)


def _check_before_ids(key: str, started_at: float) -> str:
    """The id of a check stored before checks had ids: derived, so it stays the same on every
    load until the next save writes it down."""
    return hashlib.blake2s(f"{key}|{started_at!r}".encode(), digest_size=4).hexdigest()


def _is_history_entry(entry: Any) -> bool:
    """`[state, {fact: previous value or null}]`, as `back` unpacks it."""
    return (
        isinstance(entry, list)
        and len(entry) == 2
        and isinstance(entry[0], str)
        and isinstance(entry[1], dict)
        and all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in entry[1].items())
    )


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {
    "key": str,
    "user": str,
    "dialog": str,
    "version": int,
    "state": str,
    "answers": dict,
    "history": list,
    "step": int,
    "started_at": (int, float),
    "updated_at": (int, float),
}
_OPTIONAL: dict[str, type] = {"origin": str, "check": str, "language": str}
"""Fields a stored conversation may lack: `origin` is stored only when set, and rows written
before checks had ids lack `check` (a missing one takes its default, or for `check` an id
derived from the row, see `_check_before_ids`)."""
