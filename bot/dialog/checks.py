"""Checks on a dialog's shape: every name known, every question asked, every outcome reachable.

These run after the file has been read field by field, on the typed `Dialog`, so they talk in
terms a maintainer recognises (questions, facts, warning signs, causes) rather than YAML nodes.
Broken names are reported first and alone: one typo in a flow step would otherwise also make
its question "never asked", burying the one line that needs fixing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from bot.dialog.model import (
    ASSESS,
    CHOOSE,
    CONFIRM_PREFIX,
    SIGN_VALUES,
    UNKNOWN,
    Condition,
    Dialog,
)
from bot.yaml_lines import suggest

Finding = tuple[int | None, str, str]


def fact_values(dialog: Dialog) -> dict[str, tuple[str, ...]]:
    """Every fact a condition may name, with the answers it can have."""
    values = {fact.id: tuple(v.value for v in fact.values) for fact in dialog.facts.values()}
    values.update({sign: SIGN_VALUES for sign in dialog.red_flags})
    return values


def check_dialog(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    broken = list(_check_names(dialog, lines))
    yield from broken
    if not broken:
        yield from _check_reach(dialog, lines)
        yield from _check_labels(dialog, lines)


LABEL_LIMIT = 75
"""The longest answer label every platform shows whole: Slack cuts a checkbox's or a button's
text at 75 characters (Discord allows 80 on a button, 100 in a menu)."""


def _check_labels(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    """Every label a person taps fits on every platform, so no answer is shown cut short."""
    for question in dialog.questions.values():
        labels = [(o.fact, o.label) for o in question.options] + [
            ("none_label", question.none_label),
            ("unsure_label", question.unsure_label),
        ]
        if question.fact in dialog.facts and question.kind == "choice":
            labels += [(v.value, v.label) for v in dialog.facts[question.fact].values]
        for name, label in labels:
            if len(label) > LABEL_LIMIT:
                short = f"questions.{name}.short"  # a multi-select option is its question's `short`
                place = short if short in lines else f"questions.{question.id}"
                yield (
                    lines.get(place),
                    place,
                    f"the label of {name!r} has {len(label)} characters; Slack shows at most {LABEL_LIMIT}: "
                    f"shorten {label!r}",
                )


def _check_names(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    line = lines.get
    seen: dict[str, str] = {CHOOSE: "reserved", ASSESS: "reserved"}
    for section, names in (
        ("questions", dialog.questions),
        ("red_flags", dialog.red_flags),
        ("outcomes", dialog.outcomes),
    ):
        for name in names:
            if name.startswith(CONFIRM_PREFIX) and section == "questions" and dialog.questions[name].sign:
                continue  # generated from a warning sign's `confirm`
            if name in seen:
                yield (
                    line(f"{section}.{name}"),
                    f"{section}.{name}",
                    f"{name!r} is used twice: questions, warning signs and outcomes need distinct names"
                    + (f" ({name!r} is reserved)" if seen[name] == "reserved" else ""),
                )
            seen[name] = section
    values = fact_values(dialog)
    for question in dialog.questions.values():
        place = f"questions.{question.id}"
        for sign in question.may_mention:
            if sign not in dialog.red_flags:
                yield (
                    line(f"{place}.may_mention"),
                    f"{place}.may_mention",
                    f"unknown warning sign {sign!r}" + suggest(sign, dialog.red_flags),
                )
        if question.intro and question.intro not in dialog.messages:
            yield (
                line(f"{place}.intro"),
                f"{place}.intro",
                f"no message named {question.intro!r} under messages",
            )
        for option in question.options:
            if question.kind == "signs" and option.fact not in dialog.red_flags:
                yield (
                    line(f"{place}.options"),
                    f"{place}.options.{option.fact}",
                    f"unknown warning sign {option.fact!r}" + suggest(option.fact, dialog.red_flags),
                )
            if question.kind == "multi":
                asked = dialog.questions.get(option.fact)
                if asked is None or asked.kind != "yesno":
                    yesno = [q.id for q in dialog.questions.values() if q.kind == "yesno" and not q.sign]
                    yield (
                        line(f"{place}.options"),
                        f"{place}.options",
                        f"{option.fact!r} is not a yes/no question" + suggest(option.fact, yesno),
                    )
                elif not dialog.facts[option.fact].short:
                    yield (
                        line(f"questions.{option.fact}"),
                        f"questions.{option.fact}",
                        f"give it a `short` label: {question.id!r} shows it as one of its options",
                    )
    for index, step in enumerate(dialog.flow):
        place = f"flow[{index}]"
        for target in step.targets:
            if step.kind == "ask" and target not in dialog.questions:
                yield step.line, place, f"unknown question {target!r}" + suggest(target, dialog.questions)
            elif step.kind == "outcome" and target not in dialog.outcomes:
                yield step.line, place, f"unknown outcome {target!r}" + suggest(target, dialog.outcomes)
            elif step.kind == "result" and target != ASSESS:
                yield step.line, place, f"the result step is `result: {ASSESS}`"
        for condition in step.when:
            yield from _check_condition(condition, values, step.line, f"{place}.when")
    if not dialog.flow or dialog.flow[-1].kind != "result":
        yield None, "flow", f"the flow must end with `result: {ASSESS}`, where the answers are weighed"
    for outcome in dialog.outcomes.values():
        for condition in outcome.when:
            yield from _check_condition(
                condition, values, line(f"outcomes.{outcome.id}"), f"outcomes.{outcome.id}.when"
            )
    for cause in dialog.causes.values():
        for index, cause_sign in enumerate(cause.signs):
            yield from _check_condition(
                cause_sign.when,
                values,
                line(f"causes.{cause.id}.signs"),
                f"causes.{cause.id}.signs[{index}].when",
            )
        for index, advice in enumerate(cause.treatment):
            yield from _check_condition(
                advice.when,
                values,
                line(f"causes.{cause.id}.treatment"),
                f"causes.{cause.id}.treatment[{index}].when",
            )
    known = set(values)
    for cue in dialog.language.context:
        for name in sorted((cue.applies_to or frozenset()) - known):
            yield (
                cue.line,
                f"context ({cue.category}).applies_to",
                f"unknown fact or warning sign {name!r}" + suggest(name, known),
            )


def _check_condition(
    condition: Condition, values: Mapping[str, tuple[str, ...]], line: int | None, place: str
) -> Iterator[Finding]:
    for fact, wanted in condition.items():
        known = values.get(fact)
        if known is None:
            yield line, f"{place}.{fact}", f"unknown fact {fact!r}" + suggest(fact, values)
            continue
        for value in sorted(wanted - set(known) - {UNKNOWN}):
            allowed = ", ".join([*known, UNKNOWN])
            yield (
                line,
                f"{place}.{fact}",
                f"{fact!r} has no answer {value!r} (it has: {allowed})" + suggest(value, known),
            )


def _check_reach(dialog: Dialog, lines: Mapping[str, int]) -> Iterator[Finding]:
    asked = {target for step in dialog.flow if step.kind == "ask" for target in step.targets}
    asked |= {
        o.fact for q in dialog.questions.values() if q.id in asked and q.kind == "multi" for o in q.options
    }
    for question in dialog.questions.values():
        if question.sign or question.id in asked:
            continue
        yield (
            lines.get(f"questions.{question.id}"),
            f"questions.{question.id}",
            "no flow step asks this question (name it in an `ask:` step, or as an option of a multi question)",
        )
    used = {target for step in dialog.flow if step.kind == "outcome" for target in step.targets}
    for name in dialog.outcomes:
        if name not in used:
            yield lines.get(f"outcomes.{name}"), f"outcomes.{name}", "no flow step leads to this outcome"
    readable = {fact.id for fact in dialog.facts.values() if any(v.patterns for v in fact.values)}
    learnable = asked | readable
    for cause in dialog.causes.values():
        possible = sum(s.weight for s in cause.signs if all(fact in learnable for fact in s.when))
        if possible < cause.threshold:
            yield (
                lines.get(f"causes.{cause.id}"),
                f"causes.{cause.id}",
                (
                    f"this cause can never be named: the signs kneebot can learn weigh {possible} in all, "
                    f"below its threshold {cause.threshold}"
                ),
            )
