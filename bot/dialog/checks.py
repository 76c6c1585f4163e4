"""Checks on a dialog's shape: every state reachable, every path ending, every cause possible.

These run after the file has been read field by field, on the typed `Dialog`, so they talk in
terms a maintainer recognises (questions, answers, causes) rather than YAML nodes. Broken names
are reported first and alone: one typo in a `next` would otherwise also make every later
question "unreachable", burying the one line that needs fixing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.dialog.model import ASSESS, Dialog
from bot.yaml_lines import suggest

Finding = tuple[int | None, str, str]


def check_graph(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    broken = list(_check_names(dialog, lines))
    yield from broken
    if not broken:
        yield from _check_paths(dialog, lines)


def _check_names(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    states = list(dialog.states)
    line = lines.get
    taken = set(dialog.questions) & (set(dialog.red_flags) | {ASSESS}) | (set(dialog.red_flags) & {ASSESS})
    for name in sorted(taken):
        yield (
            line(f"questions.{name}"),
            f"questions.{name}",
            (f"{name!r} is used twice: questions, red flags and {ASSESS!r} need distinct names"),
        )
    if dialog.start not in dialog.questions:
        yield (
            None,
            "start",
            f"unknown question {dialog.start!r}" + suggest(dialog.start, list(dialog.questions)),
        )
    for q in dialog.questions.values():
        place = f"questions.{q.id}"
        if q.intro and q.intro not in dialog.messages:
            yield line(f"{place}.intro"), f"{place}.intro", f"no message named {q.intro!r} under messages"
        if q.next and q.next not in states:
            yield (
                line(f"{place}.next"),
                f"{place}.next",
                f"unknown state {q.next!r}" + suggest(q.next, states),
            )
        if q.ask_if and not q.next:
            yield (
                line(place),
                place,
                "a question with ask_if needs a default next (where to go when it is skipped)",
            )
        for answer in q.answers:
            a_place = f"{place}.answers.{answer.value}"
            if not answer.next:
                yield (
                    line(a_place) or line(place),
                    a_place,
                    ("this choice has no next state (give it `next:` or give the question one)"),
                )
            elif answer.next not in states and answer.next != q.next:  # a bad default is reported once
                yield (
                    line(f"{a_place}.next") or line(a_place),
                    f"{a_place}.next",
                    (f"unknown state {answer.next!r}" + suggest(answer.next, states)),
                )
        for other, values in q.ask_if.items():
            yield from _check_condition(dialog, other, values, line(f"{place}.ask_if"), f"{place}.ask_if")
    for cause in dialog.causes.values():
        for index, sign in enumerate(cause.signs):
            for question, values in sign.when.items():
                yield from _check_condition(
                    dialog,
                    question,
                    values,
                    line(f"causes.{cause.id}.signs"),
                    f"causes.{cause.id}.signs[{index}].when",
                )


def _check_paths(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    reachable = _reachable(dialog)
    for name in dialog.questions:
        if name not in reachable:
            yield (
                lines.get(f"questions.{name}"),
                f"questions.{name}",
                "no path from the start reaches this question",
            )
    if ASSESS not in reachable:
        yield None, "questions", f"no path reaches {ASSESS!r}, so no cause can ever be named"
    for cause in dialog.causes.values():
        possible = sum(s.weight for s in cause.signs if all(q in reachable for q in s.when))
        if possible < cause.threshold:
            yield (
                lines.get(f"causes.{cause.id}"),
                f"causes.{cause.id}",
                (
                    f"no path reaches this cause: its reachable signs weigh {possible} in all, "
                    f"below its threshold {cause.threshold}"
                ),
            )


def _check_condition(
    dialog: Dialog, question: str, values: frozenset[str], line: int | None, place: str
) -> Iterator[Finding]:
    target = dialog.questions.get(question)
    if target is None:
        yield (
            line,
            f"{place}.{question}",
            f"unknown question {question!r}" + suggest(question, list(dialog.questions)),
        )
        return
    known = [a.value for a in target.answers]
    for value in sorted(values - set(known)):
        yield (
            line,
            f"{place}.{question}",
            (f"{question!r} has no answer {value!r} (it has: {', '.join(known)})" + suggest(value, known)),
        )


def _reachable(dialog: Dialog) -> set[str]:
    seen: set[str] = set()
    todo = [dialog.start]
    while todo:
        state = todo.pop()
        if state in seen:
            continue
        seen.add(state)
        question = dialog.questions.get(state)
        if question is not None:
            todo.extend(a.next for a in question.answers if a.next)
            if question.next:
                todo.append(question.next)
    return seen
