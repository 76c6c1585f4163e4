"""Translations must be the same dialog in another language: the same states, answers,
warning signs, facts, flow, outcomes and causes, so a conversation can change language at any
question and every platform's buttons mean the same thing in both.

`disagreements` compares a translation with the main dialog and reports, at the translation's
file and line, what one has and the other lacks. Wording, phrases and treatment lines are free
to differ: that is the translation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.dialog.model import Dialog
from bot.yaml_lines import Problem


def disagreements(main: Dialog, other: Dialog, lines: Mapping[str, int]) -> list[Problem]:
    """Every way `other` is not `main`'s structure; `lines` maps the translation's dotted
    places ("questions.lump", "flow") to their lines."""
    file = str(other.source) if other.source else None
    ours = main.source.name if main.source else main.id

    def at(place: str, message: str) -> Problem:
        parts = place.split(".")
        line = next(
            (lines[".".join(parts[:n])] for n in range(len(parts), 0, -1) if ".".join(parts[:n]) in lines), 1
        )
        return Problem(line, place, message, file)

    def compare(
        section: str, mine: Mapping[str, object], yours: Mapping[str, object], what: str
    ) -> Iterator[Problem]:
        for name in mine:
            if name not in yours:
                yield at(section, f"{what} {name!r} of {ours} is missing here")
        for name in yours:
            if name not in mine:
                yield at(f"{section}.{name}", f"{what} {name!r} is not in {ours}")

    def differences() -> Iterator[Problem]:
        yield from compare("questions", main.questions, other.questions, "question")
        yield from compare("red_flags", main.red_flags, other.red_flags, "warning sign")
        yield from compare("facts", main.facts, other.facts, "fact")
        yield from compare("outcomes", main.outcomes, other.outcomes, "outcome")
        yield from compare("causes", main.causes, other.causes, "cause")
        yield from compare("messages", main.messages, other.messages, "message")
        yield from compare("labels", main.labels, other.labels, "label")
        for qid, question in main.questions.items():
            translated = other.questions.get(qid)
            if translated is None:
                continue
            if translated.kind != question.kind:
                yield at(f"questions.{qid}", f"is a {translated.kind} question; in {ours}, {question.kind}")
            if [o.fact for o in question.options] != [o.fact for o in translated.options]:
                yield at(f"questions.{qid}", f"its options differ from {ours}'s")
        for fid, fact in main.facts.items():
            translated_fact = other.facts.get(fid)
            if translated_fact and [v.value for v in fact.values] != [
                v.value for v in translated_fact.values
            ]:
                yield at(f"questions.{fid}", f"its answers differ from {ours}'s")
        for sign, flag in main.red_flags.items():
            translated_flag = other.red_flags.get(sign)
            if translated_flag and translated_flag.urgency != flag.urgency:
                yield at(f"red_flags.{sign}", f"urgency {translated_flag.urgency}; in {ours}, {flag.urgency}")
        for oid, outcome in main.outcomes.items():
            translated_outcome = other.outcomes.get(oid)
            if translated_outcome and (translated_outcome.urgency, translated_outcome.when) != (
                outcome.urgency,
                outcome.when,
            ):
                yield at(f"outcomes.{oid}", f"its urgency or condition differs from {ours}'s")
        for cid, cause in main.causes.items():
            translated_cause = other.causes.get(cid)
            if translated_cause and [(s.when, s.weight, s.key) for s in cause.signs] != [
                (s.when, s.weight, s.key) for s in translated_cause.signs
            ]:
                yield at(
                    f"causes.{cid}", f"its signs differ from {ours}'s (conditions, weights or key signs)"
                )
        mine = [(s.kind, s.targets, s.when, s.only_if_useful, s.fits_none) for s in main.flow]
        yours = [(s.kind, s.targets, s.when, s.only_if_useful, s.fits_none) for s in other.flow]
        if mine != yours:
            first = next(
                (i for i, (a, b) in enumerate(zip(mine, yours, strict=False)) if a != b),
                min(len(mine), len(yours)),
            )
            step = other.flow[first] if first < len(other.flow) else None
            line = (step.line if step else None) or lines.get("flow", 1)
            yield Problem(line, f"flow[{first}]", f"the flow differs from {ours}'s from here on", file)

    return list(differences())
