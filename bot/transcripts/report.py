"""Checking what the bot said in one turn against a transcript, and saying how it differs.

Matching is simple and documented in docs/transcripts.md: expected messages match in order,
other messages may come between; `text` is exact (in adapter runs: contained, whitespace
aside); `contains` and `matches` look inside a message; `choices` are the buttons in order.
When a turn fails, the report is a unified diff between what the bot should have said (its own
messages, with the one nearest the missing expectation rewritten to meet it) and what it said,
so only the part that went wrong is marked.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from bot.transcripts.driver import Said
from bot.transcripts.model import Expect, Outcome, Turn


# ----- matching --------------------------------------------------------------------------------
def _flat(text: str) -> str:
    return " ".join(text.split())


def _loosely_contains(flat: str, expected: str) -> bool:
    """Adapter runs: the expected text appears whitespace aside, or, for a platform that lays
    a long message out in its own blocks, each of its lines appears, in order."""
    if _flat(expected) in flat:
        return True
    position = 0
    for line in filter(None, map(_flat, expected.splitlines())):
        found = flat.find(line, position)
        if found < 0:
            return False
        position = found + len(line)
    return True


def matches(expect: Expect, said: Said, *, strict_text: bool = True) -> bool:
    """Whether one bot message meets every condition of one expectation."""
    flat = _flat(said.text)
    if expect.text is not None:
        if strict_text:
            if said.text.strip() != expect.text.strip():
                return False
        elif not _loosely_contains(flat, expect.text):
            return False
    if any(_flat(fragment) not in flat for fragment in expect.contains):
        return False
    if expect.matches is not None and not expect.matches.search(said.text if strict_text else flat):
        return False
    return expect.choices is None or tuple(_flat(c) for c in said.choices) == tuple(
        _flat(c) for c in expect.choices
    )


def _in_order(expects: Sequence[Expect], said: Sequence[Said], strict: bool) -> tuple[list[int], int]:
    """Match expectations to messages in order, skipping unchecked messages. Greedy earliest
    matching finds an assignment whenever one exists. Returns the matched message indexes and
    the index of the first expectation that found none (len(expects) when all did)."""
    matched: list[int] = []
    position = 0
    for index, expect in enumerate(expects):
        found = next(
            (i for i in range(position, len(said)) if matches(expect, said[i], strict_text=strict)), None
        )
        if found is None:
            return matched, index
        matched.append(found)
        position = found + 1
    return matched, len(expects)


# ----- showing ---------------------------------------------------------------------------------
def _said_lines(said: Said, buttons: bool = True) -> list[str]:
    lines = said.text.splitlines() or [""]
    if buttons:
        lines += _button_lines(said.choices)
    return lines


def _button_lines(choices: Sequence[str]) -> list[str]:
    """One line per button, so a diff points at the very button that differs."""
    return [f"  [{label}]" for label in choices]


def _expect_lines(expect: Expect) -> list[str]:
    lines: list[str] = []
    if expect.text is not None:
        lines += expect.text.strip().splitlines()
    lines += [f"… {fragment} …" for fragment in expect.contains]
    if expect.matches is not None:
        lines.append(f"/{expect.matches.pattern}/")
    if not lines:
        lines.append("(any text)")
    if expect.choices is not None:
        lines += _button_lines(expect.choices) if expect.choices else ["  (no buttons)"]
    return lines


def _coverage(fragment: str, text: str) -> tuple[float, int, int]:
    """How much of `fragment` appears in `text` in runs of a few characters (0..1), and the
    span of `text` it lines up with. Scattered single letters do not count, and a span much
    longer than the fragment is no match at all."""
    if not fragment:
        return 0.0, 0, 0
    matcher = difflib.SequenceMatcher(None, text, fragment, autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 3]
    if not blocks:
        return 0.0, 0, 0
    first, last = blocks[0], blocks[-1]
    start = max(0, first.a - first.b)
    end = min(len(text), last.a + last.size + len(fragment) - (last.b + last.size))
    if end - start > 1.5 * len(fragment) + 5:
        return 0.0, 0, 0
    return sum(b.size for b in blocks) / len(fragment), start, end


def _closeness(expect: Expect, said: Said) -> float:
    """How nearly a message meets an expectation, to pick the one to show in the diff."""
    scores = [_coverage(fragment, said.text)[0] for fragment in expect.contains]
    if expect.text is not None:
        scores.append(difflib.SequenceMatcher(None, expect.text, said.text, autojunk=False).ratio())
    if expect.choices is not None:
        scores.append(difflib.SequenceMatcher(None, list(expect.choices), list(said.choices)).ratio())
    return sum(scores) / len(scores) if scores else 0.0


def _expected_version(expect: Expect, said: Said, buttons: bool, strict: bool) -> list[str]:
    """How `said` would have to read to meet `expect`: the bot's own lines with only the
    missing part changed, so the diff marks just that (a misspelt word, a changed button)."""
    flat = _flat(said.text)
    if expect.text is not None and (strict or _flat(expect.text) not in flat):
        lines = expect.text.strip().splitlines() or [""]
    else:
        lines = said.text.splitlines() or [""]
    for fragment in expect.contains:
        if _flat(fragment) in flat:
            continue
        best = max(range(len(lines)), key=lambda i: _coverage(fragment, lines[i])[0])
        covered, start, end = _coverage(fragment, lines[best])
        if covered >= 0.6:
            lines[best] = lines[best][:start] + fragment + lines[best][end:]
        else:
            lines.insert(0, f"… {fragment} …")
    if expect.matches is not None and not expect.matches.search(said.text if strict else flat):
        lines.insert(0, f"/{expect.matches.pattern}/")
    if buttons:
        choices = expect.choices if expect.choices is not None else said.choices
        lines += _button_lines(choices) if choices or expect.choices is None else ["  (no buttons)"]
    return lines


def _document(blocks: Iterable[list[str]]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if out:
            out.append("")
        out += block
    return out


def _diff(expected: list[str], actual: list[str]) -> str:
    lines = difflib.unified_diff(expected, actual, "expected", "bot said", lineterm="", n=3)
    return "\n".join(f"    {line}" for line in lines)


def _describe_outcome(said: Said | None) -> str:
    if said is None or said.outcome is None:
        return "no result"
    cause, urgency = said.outcome
    parts = [f"cause: {cause or 'null'}"]
    if said.result is not None and len(said.result.causes) > 1:
        parts.append(f"causes: [{', '.join(said.result.causes)}]")
    parts.append(f"urgency: {urgency}")
    if said.result is not None:
        parts.append(f"red_flag: {said.result.red_flag or 'null'}")
    return "{" + ", ".join(parts) + "}"


def _expected_doc(expect: Expect, said: list[Said], first: int, buttons: bool, strict: bool) -> list[str]:
    """What the bot should have said: its own messages, with the one nearest to the missing
    expectation (from `first` on) rewritten to meet it, or the expectation added at the end."""
    blocks = [_said_lines(s, buttons) for s in said]
    if first >= len(said):
        return _document([*blocks, _expect_lines(expect)])
    nearest = max(range(first, len(said)), key=lambda i: _closeness(expect, said[i]))
    blocks[nearest] = _expected_version(expect, said[nearest], buttons, strict)
    return _document(blocks)


# ----- checking one turn -----------------------------------------------------------------------
def turn_problem(turn: Turn, said: list[Said], strict: bool) -> str | None:
    """The reason (and diff) this turn failed, or None."""
    expects = (*(turn.bot or ()), *turn.any, *turn.never)
    buttons = any(e.choices is not None for e in expects) or turn.bot == ()

    def shown(messages: Iterable[Said]) -> list[str]:
        """Messages as diff lines; buttons only when the turn checks buttons (less noise)."""
        return _document(_said_lines(s, buttons) for s in messages)

    if turn.bot is not None:
        if not turn.bot and said:
            return "expected the bot to say nothing\n" + _diff([], shown(said))
        matched, failed = _in_order(turn.bot, said, strict)
        if failed < len(turn.bot):
            expect = turn.bot[failed]
            after = matched[-1] + 1 if matched else 0
            which = f"expected message {failed + 1} of {len(turn.bot)} (line {expect.line})"
            where = "after the messages already matched" if matched else "in what the bot said"
            return f"{which} was not found {where}\n" + _diff(
                _expected_doc(expect, said, after, buttons, strict), shown(said)
            )
    for expect in turn.any:
        if not any(matches(expect, s, strict_text=strict) for s in said):
            return f"the message expected anywhere in the turn (line {expect.line}) was not found\n" + _diff(
                _expected_doc(expect, said, 0, buttons, strict), shown(said)
            )
    for expect in turn.never:
        bad = [i for i, s in enumerate(said) if matches(expect, s, strict_text=strict)]
        if bad:
            kept = [s for i, s in enumerate(said) if i not in bad]
            what = " / ".join(_expect_lines(expect))
            return f"the bot said what it must not (line {expect.line}: {what})\n" + _diff(
                shown(kept), shown(said)
            )
    return None


def outcome_problem(expected: Outcome, said: Said | None) -> str | None:
    if expected.none:
        return None if said is None else f"expected no result, got {_describe_outcome(said)}"
    if said is None or said.outcome is None:
        return f"expected the result {expected.describe()}, but the bot showed no result"
    cause, urgency = said.outcome
    result = said.result
    wrong = (
        (expected.check_cause and cause != expected.cause)
        or (expected.urgency is not None and urgency != expected.urgency)
        or (result is not None and expected.check_red_flag and result.red_flag != expected.red_flag)
        or (result is not None and expected.causes is not None and result.causes != expected.causes)
    )
    if wrong:
        return f"expected the result {expected.describe()}, got {_describe_outcome(said)}"
    return None
