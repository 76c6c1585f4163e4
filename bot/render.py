"""How a result is laid out, once for every platform, and its plain-text form.

`sections(result)` is the single reading order of a result's parts; the console (`result_text`
here), Slack's Block Kit and Discord's embed each walk it and only style what they are given.
Keeping the order and the headings in one place is what makes the three agree: an emergency
opens every layout, and a red flag's advice never sits under a cause's "what usually helps"
heading on one platform but not on another.

Wording comes from the dialog (headings are `Result.labels`); this module only arranges it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.messages import Choice, Finding, Result

SectionKind = Literal[
    "urgency", "title", "reasons", "finding", "why", "confirm", "treatment", "advice", "summary", "reminder"
]  # fmt: skip

ADVICE_LABEL = "advice"
"""An optional heading for `Result.advice` (a red flag's or an unclear result's own steps).
Without it in the dialog's labels, the advice is shown with no heading: it must never borrow
"what_to_do", which heads a cause's treatment."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Section:
    """One part of a result, in reading order.

    `heading` is shown exactly as given (labels end with a colon, a finding's heading is its
    name); None means the part stands on its own. `bulleted` lines are a list; otherwise each
    line is prose. `kind` lets a platform style a part (the urgency in bold, the reminder as a
    footer) without deciding what comes where.
    """

    kind: SectionKind
    heading: str | None
    lines: tuple[str, ...]
    bulleted: bool = False


def _label(result: Result, name: str) -> str | None:
    label = result.labels.get(name)
    return f"{label}:" if label else None


def _finding_heading(result: Result, finding: Finding, index: int) -> str:
    """The best fit by its name; any later one as "Also possible: <name>"; each with how well
    it fits ("fits well", "partly fits") when the dialog says."""
    fit = f" ({finding.fit_label})" if finding.fit_label else ""
    if index == 0:
        return finding.name[:1].upper() + finding.name[1:] + fit
    also = result.labels.get("also_possible")
    return (f"{also}: {finding.name}" if also else finding.name) + fit


def sections(result: Result) -> list[Section]:
    """The parts of a result in the order every layout shows them: the urgency first (an
    emergency must be the first thing seen), the title, what the person told us (a red flag),
    each fitting cause with why it fits and what usually helps, the advice, the summary for a
    clinician and the reminder to see a doctor. Empty parts are left out."""
    out = [
        Section(kind="urgency", heading=None, lines=(result.urgency_text,)),
        Section(kind="title", heading=None, lines=(result.title,)),
    ]
    if result.reasons and result.kind == "not_covered":  # why none of the causes applies: prose
        out.append(Section(kind="reasons", heading=None, lines=result.reasons))
    elif result.reasons:
        out.append(
            Section(kind="reasons", heading=_label(result, "reasons"), lines=result.reasons, bulleted=True)
        )
    for index, finding in enumerate(result.findings):
        heading = _finding_heading(result, finding, index)
        out.append(Section(kind="finding", heading=heading, lines=(finding.about,)))
        if finding.reasons:
            out.append(
                Section(kind="why", heading=_label(result, "why"), lines=finding.reasons, bulleted=True)
            )
        if finding.confirm:
            out.append(
                Section(
                    kind="confirm",
                    heading=_label(result, "would_confirm"),
                    lines=(finding.confirm,),
                    bulleted=True,
                )
            )
        if finding.treatment:
            out.append(
                Section(
                    kind="treatment",
                    heading=_label(result, "what_to_do"),
                    lines=finding.treatment,
                    bulleted=True,
                )
            )
    if result.advice:
        out.append(
            Section(kind="advice", heading=_label(result, ADVICE_LABEL), lines=result.advice, bulleted=True)
        )
    if result.summary:
        out.append(
            Section(kind="summary", heading=_label(result, "summary"), lines=result.summary, bulleted=True)
        )
    if result.reminder:
        out.append(Section(kind="reminder", heading=None, lines=(result.reminder,)))
    return out


# ----- plain text: the console, and every platform's notification fallback ----------------
def choices_text(choices: tuple[Choice, ...]) -> str:
    return "\n".join(f"  {number}. {choice.label}" for number, choice in enumerate(choices, 1))


_FOLLOWS_FINDING = frozenset({"why", "confirm", "treatment"})
"""Parts printed right under their finding, with no blank line, so a cause reads as one block."""


def section_text(section: Section, *, bullet: str = "  • ") -> list[str]:
    """A section as plain lines: its heading, then its lines (bulleted when they are a list)."""
    lines = [f"{bullet}{line}" for line in section.lines] if section.bulleted else list(section.lines)
    return [section.heading, *lines] if section.heading else lines


def result_text(result: Result) -> str:
    """The urgency on the first line (what a notification shows), then each section, separated
    by blank lines."""
    out: list[str] = []
    for section in sections(result):
        if out and section.kind not in _FOLLOWS_FINDING:
            out.append("")
        out += section_text(section)
    return "\n".join(out)
