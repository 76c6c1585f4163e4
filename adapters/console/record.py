"""`kneebot chat --record FILE`: have the conversation, get a transcript that replays green.

It lives with the console because it is the console chat plus a hook: the core
(`bot.transcripts`) reads and replays transcripts and knows nothing of any adapter.
The recorder rides on the console's `on_turn` hook: each line typed and each reply's exact
text and buttons are kept, and the last result becomes the expected outcome. The session runs
on a private in-memory store, so the recording always starts from a fresh conversation (as a
replay does) and never touches, or is coloured by, what the person's own store holds.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from adapters.console.chat import run_chat
from bot.config import ConfigError
from bot.engine import Engine
from bot.messages import Reply, Result
from bot.store import MemoryStore

HEADER = """\
# Recorded with `kneebot chat --record`; it replays as is: kneebot replay {path}
# The first turn (user: "") is the console opening the conversation.
# To keep it robust to wording changes, trim each bot message to what matters: `text:` is the
# whole message, `contains:` a fragment, `matches:` a pattern. See docs/transcripts.md.
"""


class _Flow(list[Any]):
    """A list written on one line: `choices: [Yes, No, Not sure]`."""


class _FlowMap(dict[str, Any]):
    """A mapping written on one line: `outcome: {cause: ..., urgency: soon}`."""


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks, short lists and mappings on one line, no folding,
    and double quotes where quotes are needed (`"can't"` reads better than `'can''t'`)."""

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        return '"' if style == "'" else style


def _str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", list(v), flow_style=True)
)
_Dumper.add_representer(
    _FlowMap, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", dict(v), flow_style=True)
)


def outcome_of(result: Result | None) -> _FlowMap | str:
    """The `outcome:` a transcript expects for this result (`none` when there was none)."""
    if result is None:
        return "none"
    outcome = _FlowMap(cause=result.cause)
    if len(result.causes) > 1:
        outcome["causes"] = _Flow(result.causes)
    outcome["urgency"] = result.urgency
    if result.cause is None:
        outcome["red_flag"] = result.red_flag
    return outcome


def transcript_yaml(
    turns: Sequence[tuple[str, Sequence[Reply]]], *, name: str, platform: str, user: str, path: str
) -> str:
    """The YAML text of a transcript of these turns, exact enough to replay green."""
    results = [reply.result for _, replies in turns for reply in replies if reply.result is not None]
    document: dict[str, Any] = {
        "name": name,
        "context": _FlowMap(platform=platform, user=user),
        "turns": [
            {
                "user": text,
                "bot": [
                    {
                        "text": reply.text,
                        **({"choices": _Flow(c.label for c in reply.choices)} if reply.choices else {}),
                    }
                    for reply in replies
                ],
            }
            for text, replies in turns
        ],
        "outcome": outcome_of(results[-1] if results else None),
    }
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return HEADER.format(path=path) + body


RECORDED_USER = "someone"
"""Who a recording says was chatting when no `--user` was given: never the login name, since a
recording is made to be shared (attached to a bug report, committed as a test)."""


def check_recording_path(path: str | Path, *, force: bool = False) -> None:
    """Refuse, before the chat starts, a recording that could not be written at its end (a
    missing folder, a folder given as the file) or that would silently replace a file."""
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise ConfigError(f"--record {path} is a folder: give a file name, such as {path / 'session.yaml'}")
    if not folder.is_dir():
        raise ConfigError(f"cannot record to {path}: there is no folder {folder}; create it first")
    if not os.access(folder, os.W_OK):
        raise ConfigError(f"cannot record to {path}: the folder {folder} is not writable")
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists: choose another file, or add --force to overwrite it")


def record_chat(
    engine: Engine,
    *,
    user: str,
    path: str | Path,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    locale: str | None = None,
    force: bool = False,
) -> int:
    """Run the console chat and write what was said to `path`, even if the chat ends badly.
    The path is checked first (`check_recording_path`), so a chat is never had for nothing."""
    path = Path(path)
    check_recording_path(path, force=force)
    sandbox = Engine(engine.dialog, MemoryStore(), clock=engine.clock)
    turns: list[tuple[str, list[Reply]]] = []
    try:
        return run_chat(
            sandbox,
            user=user,
            stdin=stdin,
            stdout=stdout,
            on_turn=lambda text, replies: turns.append((text, replies)),
            locale=locale,
        )
    finally:
        name = path.stem.replace("_", " ").replace("-", " ")
        path.write_text(
            transcript_yaml(turns, name=name, platform="console", user=user, path=str(path)), encoding="utf-8"
        )
        print(
            f"kneebot: recorded {len(turns)} turn(s) to {path}; replay with: kneebot replay {path}",
            file=sys.stderr,
        )
