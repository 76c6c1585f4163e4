"""Turning answers into a result: a red flag, the causes that fit, or an honest "unclear".

Scoring is deliberately simple and visible in the YAML: each cause lists signs with weights,
and a cause fits when one of its key signs matches and its matched weights reach its threshold
(so risk factors alone never name a cause). Every fitting cause is named, best first; nothing
is forced when none fits.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.dialog import Cause, Dialog, RedFlag
from bot.messages import URGENCIES, Finding, Result


def fitting_causes(dialog: Dialog, answers: Mapping[str, str]) -> list[tuple[Cause, int]]:
    """Causes whose signs reach their threshold, highest score first (file order breaks ties)."""
    scored = []
    for cause in dialog.causes.values():
        matched = [sign for sign in cause.signs if sign.matches(answers)]
        score = sum(sign.weight for sign in matched)
        if score >= cause.threshold and any(sign.key for sign in matched):
            scored.append((cause, score))
    return sorted(scored, key=lambda pair: pair[1], reverse=True)


def summary(dialog: Dialog, answers: Mapping[str, str]) -> tuple[str, ...]:
    """Lines a person can show a clinician, in the order the questions are asked."""
    lines = [dialog.labels["summary_intro"]]
    for question in dialog.questions.values():
        chosen = question.answer(answers.get(question.id, ""))
        if chosen is not None and chosen.note:
            lines.append(chosen.note)
    return tuple(lines)


def _labels(dialog: Dialog) -> dict[str, str]:
    """The headings adapters lay a result out with (urgency texts travel separately)."""
    return {k: v for k, v in dialog.labels.items() if isinstance(v, str)}


def _reached_unsure(dialog: Dialog, flag: RedFlag, answers: Mapping[str, str]) -> bool:
    """Whether the flag was raised because the person answered "not sure" to its check."""
    for question in dialog.questions.values():
        chosen = question.answer(answers.get(question.id, ""))
        if chosen is not None and chosen.next == flag.id:
            return chosen.value == "unsure"
    return False


def red_flag_result(dialog: Dialog, flag: RedFlag, answers: Mapping[str, str]) -> Result:
    reason = flag.unsure_reason if _reached_unsure(dialog, flag, answers) else flag.reason
    return Result(
        kind="red_flag",
        urgency=flag.urgency,
        title=flag.title,
        urgency_text=dialog.labels["urgency"][flag.urgency],
        reasons=(reason,),
        advice=flag.advice,
        summary=(*summary(dialog, answers), flag.note),
        red_flag=flag.id,
        reminder=dialog.reminder,
        labels=_labels(dialog),
    )


def assessment(dialog: Dialog, answers: Mapping[str, str]) -> Result:
    fits = fitting_causes(dialog, answers)
    if not fits:
        unclear = dialog.unclear
        return Result(
            kind="unclear",
            urgency=unclear.urgency,
            title=unclear.title,
            urgency_text=dialog.labels["urgency"][unclear.urgency],
            advice=unclear.advice,
            summary=summary(dialog, answers),
            reminder=dialog.reminder,
            labels=_labels(dialog),
        )
    findings = tuple(
        Finding(
            cause=cause.id,
            name=cause.name,
            about=cause.about,
            reasons=tuple(s.reason for s in cause.signs if s.matches(answers)),
            treatment=cause.treatment,
        )
        for cause, _ in fits
    )
    names = [f.name for f in findings]
    template = {1: "one_cause", 2: "two_causes"}.get(len(names), "more_causes")
    title = dialog.labels[template].format(first=names[0], second=names[-1])
    urgency = min((cause.urgency for cause, _ in fits), key=URGENCIES.index)
    return Result(
        kind="cause",
        urgency=urgency,
        title=title,
        urgency_text=dialog.labels["urgency"][urgency],
        findings=findings,
        summary=summary(dialog, answers),
        reminder=dialog.reminder,
        labels=_labels(dialog),
    )
