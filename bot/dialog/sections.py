"""Reading each section of a dialog file: warning signs, facts, questions, flow, outcomes, causes.

Each reader turns one raw YAML entry into its typed `bot.dialog.model` object and reports what
is wrong through the `FieldReader`, with the dotted place a maintainer can find in the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.dialog.fields import FieldReader, join_place
from bot.dialog.model import (
    PLACEHOLDERS,
    UNKNOWN,
    YES_NO,
    Cause,
    Condition,
    Fact,
    Line,
    Option,
    Outcome,
    Patterns,
    Question,
    RedFlag,
    Sign,
    Step,
    Value,
    placeholders_in,
)
from bot.yaml_lines import LineMap, kind_of, line_of, suggest

Groups = Mapping[str, tuple[str, ...]]
REASONS = ("confirmed", "mentioned", "unsure")


def check_placeholders(block: LineMap, place: str, r: FieldReader, *, known: Iterable[str]) -> None:
    """A `{name}` the code does not fill in would crash that reply at run time: catch it here.
    Messages the engine does not know (platform sentences) are only checked for broken braces."""
    known_keys = set(known)
    for key, value in block.items():
        if not isinstance(value, str):
            continue
        used = placeholders_in(value)
        if used is None:
            r.problem(line_of(block, key), f"{place}.{key}", "broken {placeholder}: write {{ for a brace")
            continue
        allowed = PLACEHOLDERS.get(key, frozenset())
        if key in known_keys and used - allowed:
            names = ", ".join(f"{{{n}}}" for n in sorted(allowed)) or "none"
            unknown = ", ".join(f"{{{n}}}" for n in sorted(used - allowed))
            r.problem(
                line_of(block, key),
                f"{place}.{key}",
                f"unknown placeholder {unknown} (this text can use: {names})",
            )


def read_red_flag(key: Any, raw: Any, r: FieldReader, groups: Groups) -> RedFlag:
    place = f"red_flags.{key}"
    entry = r.mapping(
        raw,
        place,
        None,
        required=("urgency", "title", "reasons", "note", "confirm", "advice"),
        allowed=("patterns", "near", "except", "hints", "no_patterns", "past_counts", "confirm_words"),
    )
    reasons = r.mapping(
        entry.get("reasons", {}), f"{place}.reasons", line_of(entry, "reasons"), required=REASONS
    )
    past_counts = entry.get("past_counts", False)
    if not isinstance(past_counts, bool):
        r.problem(line_of(entry, "past_counts"), f"{place}.past_counts", "expected true or false")
    patterns = r.patterns(entry, place, groups)
    if not patterns:
        r.problem(
            line_of(entry, "urgency"),
            place,
            "a warning sign needs `patterns` or `near` rules to be recognised",
        )
    hints = r.mapping(
        entry.get("hints", {}), f"{place}.hints", line_of(entry, "hints"), allowed=("patterns", "near")
    )
    return RedFlag(
        id=str(key),
        hints=r.patterns(hints, f"{place}.hints", groups),
        denials=Patterns(phrases=r.phrases(entry, "no_patterns", place, groups)),
        urgency=r.urgency(entry, place),
        title=r.text(entry, "title", place),
        reasons={k: r.text(reasons, k, f"{place}.reasons") for k in REASONS},
        note=r.text(entry, "note", place),
        confirm=r.text(entry, "confirm", place),
        advice=r.texts(entry, "advice", place),
        patterns=patterns,
        past_counts=past_counts is True,
        confirm_words=_confirm_words(entry, r, groups, place),
    )


def _confirm_words(entry: LineMap, r: FieldReader, groups: Groups, place: str) -> dict[str, Patterns]:
    words = r.mapping(
        entry.get("confirm_words", {}),
        f"{place}.confirm_words",
        line_of(entry, "confirm_words"),
        allowed=("yes", "no"),
    )
    return {
        value: Patterns(phrases=r.phrases(words, value, f"{place}.confirm_words", groups)) for value in words
    }


def read_fact(key: Any, raw: Any, r: FieldReader, groups: Groups) -> Fact:
    """A fact that is only read from what people write (`facts:`), never asked."""
    place = f"facts.{key}"
    entry = r.mapping(raw, place, None, required=("values",))
    values_raw = r.mapping(entry.get("values", {}), f"{place}.values", line_of(entry, "values"))
    values = []
    for value in values_raw:
        value_place = f"{place}.values.{value}"
        spec = r.mapping(
            values_raw.get(value) or {},
            value_place,
            line_of(values_raw, value),
            allowed=("patterns", "near", "except", "note"),
        )
        values.append(
            Value(
                value=r.identifier(value, value_place, line_of(values_raw, value)),
                patterns=r.patterns(spec, value_place, groups),
                note=r.text(spec, "note", value_place, required=False),
            )
        )
    return Fact(id=str(key), kind="choice", values=tuple(values))


def read_question(key: Any, raw: Any, r: FieldReader, groups: Groups) -> tuple[Question, Fact | None]:
    """A question, and the fact it asks when it asks one of its own (yesno, choice)."""
    place = f"questions.{key}"
    allowed: dict[str, tuple[str, ...]] = {
        "yesno": (
            "intro",
            "short",
            "patterns",
            "near",
            "except",
            "no_patterns",
            "words",
            "notes",
            "may_mention",
        ),
        "choice": ("intro", "short", "answers"),
        "signs": ("intro", "options", "none_label", "unsure_label"),
        "multi": ("intro", "options", "none_label", "unsure_label"),
    }
    kind = raw.get("kind") if isinstance(raw, dict) else None
    fields = allowed.get(str(kind)) or tuple(
        {f for names in allowed.values() for f in names}
    )  # unknown kind: no cascade
    entry = r.mapping(raw, place, None, required=("kind", "text"), allowed=fields)
    if kind not in allowed:
        r.problem(
            line_of(entry, "kind"),
            f"{place}.kind",
            f"unknown kind {kind!r}; use yesno, choice, signs or multi" + suggest(kind, allowed),
        )
        # Stand in as a yes/no question, so what refers to it is not reported as well.
        stand_in = Fact(id=str(key), kind="yesno", values=tuple(Value(value=v) for v in YES_NO))
        return Question(id=str(key), kind="yesno", text="", fact=str(key)), stand_in
    question_id = str(key)
    text = r.text(entry, "text", place)
    intro = r.text(entry, "intro", place, required=False) or None
    if kind == "yesno":
        fact = _yesno_fact(question_id, entry, r, groups, place)
        mentions = r.texts(entry, "may_mention", place)
        question = Question(
            id=question_id, kind="yesno", text=text, intro=intro, fact=question_id, may_mention=mentions
        )
        return question, fact
    if kind == "choice":
        fact = _choice_fact(question_id, entry, r, groups, place)
        return Question(id=question_id, kind="choice", text=text, intro=intro, fact=question_id), fact
    options = _options(entry, kind, r, groups, place)
    question = Question(
        id=question_id,
        kind=kind,  # type: ignore[arg-type]  # (checked above: signs or multi)
        text=text,
        intro=intro,
        options=options,
        none_label=r.text(entry, "none_label", place),
        unsure_label=r.text(entry, "unsure_label", place),
    )
    return question, None


def _yesno_fact(question_id: str, entry: LineMap, r: FieldReader, groups: Groups, place: str) -> Fact:
    notes = r.mapping(entry.get("notes", {}), f"{place}.notes", line_of(entry, "notes"), allowed=YES_NO)
    words = r.mapping(entry.get("words", {}), f"{place}.words", line_of(entry, "words"), allowed=YES_NO)
    stated = r.patterns(entry, place, groups)
    denied = Patterns(phrases=r.phrases(entry, "no_patterns", place, groups))
    values = []
    for value in YES_NO:
        values.append(
            Value(
                value=value,
                words=Patterns(phrases=r.phrases(words, value, f"{place}.words", groups)),
                patterns=stated if value == "yes" else denied if value == "no" else Patterns(),
                note=r.text(notes, value, f"{place}.notes", required=False),
            )
        )
    return Fact(
        id=question_id,
        kind="yesno",
        values=tuple(values),
        short=r.text(entry, "short", place, required=False),
    )


def _choice_fact(question_id: str, entry: LineMap, r: FieldReader, groups: Groups, place: str) -> Fact:
    answers = r.mapping(entry.get("answers", {}), f"{place}.answers", line_of(entry, "answers"))
    if len(answers) < 2:
        r.problem(
            line_of(entry, "answers") or line_of(entry, "kind"),
            f"{place}.answers",
            "a choice question needs at least two answers",
        )
    values = []
    for value in answers:
        value_place = f"{place}.answers.{value}"
        spec = r.mapping(
            answers.get(value) or {},
            value_place,
            line_of(answers, value),
            required=("label",),
            allowed=("words", "patterns", "near", "except", "note"),
        )
        values.append(
            Value(
                value=r.identifier(value, value_place, line_of(answers, value)),
                label=r.text(spec, "label", value_place),
                words=Patterns(phrases=r.phrases(spec, "words", value_place, groups)),
                patterns=r.patterns(spec, value_place, groups),
                note=r.text(spec, "note", value_place, required=False),
            )
        )
    return Fact(
        id=question_id,
        kind="choice",
        values=tuple(values),
        short=r.text(entry, "short", place, required=False),
    )


def _options(entry: LineMap, kind: str, r: FieldReader, groups: Groups, place: str) -> tuple[Option, ...]:
    """A signs question lists warning signs with their labels; a multi question lists the
    yes/no facts it asks (each labelled by that question's `short`)."""
    raw = entry.get("options")
    options_place = f"{place}.options"
    line = line_of(entry, "options")
    if kind == "multi":
        if not isinstance(raw, list) or len(raw) < 2:
            r.problem(
                line, options_place, "expected a list of at least two yes/no questions, e.g. [lump, toes_up]"
            )
            return ()
        return tuple(Option(fact=str(item), label="") for item in raw)
    options = r.mapping(raw, options_place, line)
    if len(options) < 1:
        r.problem(line, options_place, "expected at least one warning sign, e.g. clot_lungs: {label: ...}")
    out = []
    for sign in options:
        option_place = f"{options_place}.{sign}"
        spec = r.mapping(
            options.get(sign) or {},
            option_place,
            line_of(options, sign),
            required=("label",),
            allowed=("words",),
        )
        out.append(
            Option(
                fact=str(sign),
                label=r.text(spec, "label", option_place),
                words=Patterns(phrases=r.phrases(spec, "words", option_place, groups)),
            )
        )
    return tuple(out)


def read_condition(raw: Any, place: str, line: int | None, r: FieldReader) -> Condition:
    block = r.mapping(raw, place, line)
    out = {}
    for fact in block:
        values = block[fact]
        if isinstance(values, str):
            values = [values]
        out[str(fact)] = frozenset(r.texts(block, fact, place)) if isinstance(values, list) else frozenset()
        if not isinstance(values, list):
            r.problem(
                line_of(block, fact),
                join_place(place, fact),
                f"expected a list of answers, got {kind_of(values)}",
            )
    return out


def read_conditions(entry: LineMap, place: str, r: FieldReader) -> tuple[Condition, ...]:
    """`when:` (one condition) or `any_of:` (alternatives); neither: always."""
    if "when" in entry and "any_of" in entry:
        r.problem(line_of(entry, "any_of"), place, "use either `when` or `any_of`, not both")
    if "when" in entry:
        return (read_condition(entry["when"], f"{place}.when", line_of(entry, "when"), r),)
    alternatives = entry.get("any_of", [])
    if not isinstance(alternatives, list):
        r.problem(line_of(entry, "any_of"), f"{place}.any_of", "expected a list of conditions")
        return ()
    return tuple(
        read_condition(item, f"{place}.any_of[{i}]", line_of(entry, "any_of"), r)
        for i, item in enumerate(alternatives)
    )


def read_flow(raw: Any, r: FieldReader, line: int | None) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        r.problem(line, "flow", "expected a list of steps (ask / outcome / result)")
        return ()
    steps = []
    item_lines = getattr(raw, "item_lines", [])
    for index, item in enumerate(raw):
        place = f"flow[{index}]"
        step_line = item_lines[index] if index < len(item_lines) else line
        entry = r.mapping(
            item,
            place,
            step_line,
            allowed=("ask", "outcome", "result", "when", "any_of", "only_if_useful", "fits"),
        )
        kinds = [k for k in ("ask", "outcome", "result") if k in entry]
        if len(kinds) != 1:
            r.problem(
                step_line,
                place,
                "each step is exactly one of `ask: question`, `outcome: name` or `result: assess`",
            )
            continue
        kind = kinds[0]
        targets = r.texts(entry, kind, place)
        useful = entry.get("only_if_useful", False)
        if not isinstance(useful, bool):
            r.problem(line_of(entry, "only_if_useful"), f"{place}.only_if_useful", "expected true or false")
        fits = entry.get("fits")
        if fits not in (None, "none"):
            r.problem(line_of(entry, "fits"), f"{place}.fits", "the only value is `none` (no cause fits yet)")
        steps.append(
            Step(
                kind=kind,  # type: ignore[arg-type]
                targets=targets,
                when=read_conditions(entry, place, r),
                only_if_useful=useful is True,
                fits_none=fits == "none",
                line=step_line,
            )
        )
    return tuple(steps)


def read_outcome(key: Any, raw: Any, r: FieldReader) -> Outcome:
    place = f"outcomes.{key}"
    entry = r.mapping(
        raw, place, None, required=("urgency", "title", "reasons", "advice"), allowed=("when", "any_of")
    )
    when = read_conditions(entry, place, r)
    if not when:
        r.problem(
            getattr(entry, "line", None), place, "an outcome needs `when` or `any_of`: when does it apply?"
        )
    return Outcome(
        id=str(key),
        when=when,
        urgency=r.urgency(entry, place),
        title=r.text(entry, "title", place),
        reasons=r.texts(entry, "reasons", place),
        advice=r.texts(entry, "advice", place),
    )


def read_cause(key: Any, raw: Any, r: FieldReader) -> Cause:
    place = f"causes.{key}"
    entry = r.mapping(
        raw,
        place,
        None,
        required=(
            "name",
            "about",
            "urgency",
            "threshold",
            "possible_threshold",
            "confirm",
            "signs",
            "treatment",
        ),
    )
    threshold = _at_least_one(entry, "threshold", place, r)
    possible = _at_least_one(entry, "possible_threshold", place, r)
    signs_raw = entry.get("signs", [])
    if not isinstance(signs_raw, list) or not signs_raw:
        r.problem(line_of(entry, "signs"), f"{place}.signs", "expected a non-empty list of signs")
        signs_raw = []
    signs = []
    lines = getattr(signs_raw, "item_lines", [])
    for index, sign_raw in enumerate(signs_raw):
        sign_place = f"{place}.signs[{index}]"
        sign = r.mapping(
            sign_raw,
            sign_place,
            lines[index] if index < len(lines) else None,
            required=("when", "weight", "reason"),
            allowed=("key",),
        )
        key_sign = sign.get("key", False)
        if not isinstance(key_sign, bool):
            r.problem(line_of(sign, "key"), f"{sign_place}.key", "expected true or false")
        signs.append(
            Sign(
                when=read_condition(sign.get("when", {}), f"{sign_place}.when", line_of(sign, "when"), r),
                weight=_at_least_one(sign, "weight", sign_place, r),
                reason=r.text(sign, "reason", sign_place),
                key=key_sign is True,
            )
        )
    if signs and not any(sign.key for sign in signs):
        r.problem(
            line_of(entry, "signs"),
            f"{place}.signs",
            (
                "mark at least one sign `key: true`: a cause is only named when one of its telltale "
                "signs matches, never on risk factors alone"
            ),
        )
    return Cause(
        id=str(key),
        name=r.text(entry, "name", place),
        about=r.text(entry, "about", place),
        urgency=r.urgency(entry, place),
        threshold=threshold,
        possible_threshold=possible,
        confirm=r.text(entry, "confirm", place),
        signs=tuple(signs),
        treatment=read_lines(entry, "treatment", place, r),
    )


def read_lines(entry: LineMap, key: str, place: str, r: FieldReader) -> tuple[Line, ...]:
    """Advice lines: plain text, or `{text: ..., when: {fact: [answers]}}` for a line that only
    fits some people (a bike fit for cyclists)."""
    raw = entry.get(key, [])
    if not isinstance(raw, list) or not raw:
        r.problem(line_of(entry, key), join_place(place, key), "expected a non-empty list of lines")
        return ()
    out = []
    lines = getattr(raw, "item_lines", [])
    for index, item in enumerate(raw):
        item_place = f"{join_place(place, key)}[{index}]"
        line = lines[index] if index < len(lines) else None
        if isinstance(item, str) and item.strip():
            out.append(Line(text=item.strip()))
            continue
        spec = r.mapping(item, item_place, line, required=("text", "when"))
        out.append(
            Line(
                text=r.text(spec, "text", item_place),
                when=read_condition(spec.get("when", {}), f"{item_place}.when", line_of(spec, "when"), r),
            )
        )
    return tuple(out)


def _at_least_one(entry: LineMap, key: str, place: str, r: FieldReader) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        r.problem(line_of(entry, key), join_place(place, key), "expected a whole number of at least 1")
        return 1
    return value


def unknown_value_hint(values: Iterable[str]) -> str:
    return ", ".join([*values, UNKNOWN])
