"""Checks on a dialog's shape: every state reachable, every path ending, every cause possible.

These run after the file has been read field by field, on the typed `Dialog`, so they talk in
terms a maintainer recognises (questions, answers, causes) rather than YAML nodes.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping

from bot.dialog import ASSESS, Dialog

Finding = tuple[int | None, str, str]


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_graph(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    states = list(dialog.states)
    line = lines.get
    clash = set(dialog.questions) & set(dialog.red_flags)
    for name in sorted(clash | ({ASSESS} & (set(dialog.questions) | set(dialog.red_flags)))):
        yield (
            line(f"questions.{name}"),
            f"questions.{name}",
            (f"{name!r} is used twice: questions, red flags and {ASSESS!r} need distinct names"),
        )
    if dialog.start not in dialog.questions:
        yield (
            None,
            "start",
            f"unknown question {dialog.start!r}" + _suggest(dialog.start, list(dialog.questions)),
        )
    for q in dialog.questions.values():
        q_place = f"questions.{q.id}"
        if q.intro and q.intro not in dialog.messages:
            yield line(f"{q_place}.intro"), f"{q_place}.intro", f"no message named {q.intro!r} under messages"
        if q.next and q.next not in states:
            yield (
                line(f"{q_place}.next"),
                f"{q_place}.next",
                f"unknown state {q.next!r}" + _suggest(q.next, states),
            )
        if q.ask_if and not q.next:
            yield (
                line(q_place),
                q_place,
                "a question with ask_if needs a default next (where to go when it is skipped)",
            )
        for answer in q.answers:
            a_place = f"{q_place}.answers.{answer.value}"
            a_line = line(a_place) or line(q_place)
            if not answer.next:
                yield (
                    a_line,
                    a_place,
                    "this choice has no next state (give it `next:` or give the question one)",
                )
            elif answer.next not in states:
                yield (
                    a_line,
                    f"{a_place}.next",
                    f"unknown state {answer.next!r}" + _suggest(answer.next, states),
                )
            if "|" in answer.value:
                yield a_line, a_place, "an answer id cannot contain '|'"
        for other, values in q.ask_if.items():
            yield from _check_condition(dialog, other, values, line(q_place), f"{q_place}.ask_if")
    reachable = _reachable(dialog)
    for name in dialog.questions:
        if name not in reachable:
            yield (
                line(f"questions.{name}"),
                f"questions.{name}",
                "no path from the start reaches this question",
            )
    if ASSESS not in reachable:
        yield None, "questions", f"no path reaches {ASSESS!r}, so no cause can ever be named"
    for cause in dialog.causes.values():
        c_place = f"causes.{cause.id}"
        possible = 0
        for index, sign in enumerate(cause.signs):
            for question, values in sign.when.items():
                yield from _check_condition(
                    dialog, question, values, line(c_place), f"{c_place}.signs[{index}].when"
                )
            if all(q in reachable for q in sign.when):
                possible += sign.weight
        if possible < cause.threshold:
            yield (
                line(c_place),
                c_place,
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
            f"unknown question {question!r}" + _suggest(question, list(dialog.questions)),
        )
        return
    known = [a.value for a in target.answers]
    for value in sorted(values - set(known)):
        yield (
            line,
            f"{place}.{question}",
            (f"{question!r} has no answer {value!r} (it has: {', '.join(known)})" + _suggest(value, known)),
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
        if question is None:
            continue
        todo.extend(a.next for a in question.answers if a.next)
        if question.next:
            todo.append(question.next)
    return seen
