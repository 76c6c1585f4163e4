"""Plain-text layout of replies: the console's whole output and every platform's fallback.

Wording comes from the dialog (headings are `Result.labels`); this module only arranges it.
"""

from __future__ import annotations

from bot.messages import Choice, Result


def choices_text(choices: tuple[Choice, ...]) -> str:
    return "\n".join(f"  {number}. {choice.label}" for number, choice in enumerate(choices, 1))


def _bullets(lines: tuple[str, ...]) -> list[str]:
    return [f"  • {line}" for line in lines]


def result_text(result: Result) -> str:
    labels = result.labels
    out = [result.urgency_text, "", result.title]
    if result.reasons:
        out += ["", f"{labels.get('reasons', '')}:", *_bullets(result.reasons)]
    for index, finding in enumerate(result.findings):
        heading = finding.name[:1].upper() + finding.name[1:]
        if index:
            heading = f"{labels.get('also_possible', '')}: {finding.name}"
        out += ["", heading, finding.about]
        out += [f"{labels.get('why', '')}:", *_bullets(finding.reasons)]
        out += [f"{labels.get('what_to_do', '')}:", *_bullets(finding.treatment)]
    if result.advice:
        out += ["", *_bullets(result.advice)]
    if result.summary:
        out += ["", f"{labels.get('summary', '')}:", *_bullets(result.summary)]
    out += ["", result.reminder]
    return "\n".join(out)
