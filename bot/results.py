"""Turning what is known into a result: a warning sign's advice, an honest "not one of these",
the causes that fit, or an honest "unclear"; each with the summary for a clinician.

Every sentence comes from the dialog. A warning sign's "what you told me" says how it was
established (confirmed, mentioned, not sure), never more than the person said. The summary
lists every fact the person gave, the warning signs they denied or were unsure of included.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.assess import fits
from bot.dialog.model import SIGN_DOUBTED, SIGN_RAISED, UNKNOWN, Dialog, Line, Outcome, RedFlag, holds
from bot.messages import URGENCIES, Finding, Result

SIGN_SUMMARY = {
    "confirmed": "summary_confirmed",
    "mentioned": "summary_mentioned",
    "unsure": "summary_unsure",
    "no": "summary_no",
    "dismissed": "summary_doubted",
    SIGN_DOUBTED: "summary_unchecked",
}


def summary(dialog: Dialog, facts: Mapping[str, str]) -> tuple[str, ...]:
    """Lines a person can show a clinician: where it hurts, every fact in the order the dialog
    defines them, then the warning signs asked about or mentioned."""
    labels = dialog.labels
    where = _note(dialog, "location", facts) if "location" in dialog.facts else ""
    lines = [where or labels["summary_intro"]]
    for fact in dialog.facts:
        note = _note(dialog, fact, facts)
        if note and fact != "location":
            lines.append(note)
    for flag in dialog.red_flags.values():
        how = facts.get(flag.id)
        template = SIGN_SUMMARY.get(how or "")
        if template:
            lines.append(labels[template].format(what=flag.note))
    return tuple(lines)


def _note(dialog: Dialog, fact: str, facts: Mapping[str, str]) -> str:
    value = dialog.facts[fact].value(facts.get(fact, UNKNOWN))
    return value.note if value is not None else ""


def _labels(dialog: Dialog) -> dict[str, str]:
    """The headings adapters lay a result out with (urgency texts travel separately)."""
    return {k: v for k, v in dialog.labels.items() if isinstance(v, str)}


def red_flag_result(dialog: Dialog, flag: RedFlag, facts: Mapping[str, str]) -> Result:
    how = facts.get(flag.id, "mentioned")
    return Result(
        kind="red_flag",
        urgency=flag.urgency,
        title=flag.title,
        urgency_text=dialog.labels["urgency"][flag.urgency],
        reasons=(flag.reasons[how if how in SIGN_RAISED else "mentioned"],),
        advice=flag.advice,
        summary=summary(dialog, facts),
        red_flag=flag.id,
        reminder=dialog.reminder,
        labels=_labels(dialog),
    )


def outcome_result(dialog: Dialog, outcome: Outcome, facts: Mapping[str, str]) -> Result:
    return Result(
        kind="not_covered",
        urgency=outcome.urgency,
        title=outcome.title,
        urgency_text=dialog.labels["urgency"][outcome.urgency],
        reasons=outcome.reasons,
        advice=outcome.advice,
        summary=summary(dialog, facts),
        outcome=outcome.id,
        reminder=dialog.reminder,
        labels=_labels(dialog),
    )


def _lines(lines: tuple[Line, ...], facts: Mapping[str, str]) -> tuple[str, ...]:
    return tuple(line.text for line in lines if holds(line.when, facts))


def assessment(dialog: Dialog, facts: Mapping[str, str]) -> Result:
    found = fits(dialog, facts)
    labels = dialog.labels
    if not found:
        unclear = dialog.unclear
        return Result(
            kind="unclear",
            urgency=unclear.urgency,
            title=unclear.title,
            urgency_text=labels["urgency"][unclear.urgency],
            advice=unclear.advice,
            summary=summary(dialog, facts),
            reminder=dialog.reminder,
            labels=_labels(dialog),
        )
    findings = tuple(
        Finding(
            cause=fit.cause.id,
            name=fit.cause.name,
            about=fit.cause.about,
            reasons=tuple(s.reason for s in fit.cause.signs if s.matches(facts)),
            treatment=_lines(fit.cause.treatment, facts),
            fit=fit.level,
            fit_label=labels["fits_well" if fit.level == "well" else "fits_partly"],
            confirm=fit.cause.confirm if fit.level == "partly" else "",
        )
        for fit in found
    )
    names = [f.name for f in findings]
    if found[0].level == "partly":
        template = "possible_cause"
    else:
        template = {1: "one_cause", 2: "two_causes"}.get(len(names), "more_causes")
    title = labels[template].format(first=names[0], second=names[-1])
    urgency = min((fit.cause.urgency for fit in found), key=URGENCIES.index)
    return Result(
        kind="cause",
        urgency=urgency,
        title=title,
        urgency_text=labels["urgency"][urgency],
        findings=findings,
        summary=summary(dialog, facts),
        reminder=dialog.reminder,
        labels=_labels(dialog),
    )
