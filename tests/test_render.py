"""One result, one layout: the console, Slack and Discord show the same sections in the same
order, and every word of a result comes from the dialog.

Results come from the real engine (real dialog, real answers), so a new kind of result part or
a reordering in `bot.render.sections` is checked on every platform at once. Each platform's
output is read back as a person sees it (markup and bullets dropped, headings and lines in
order) and compared with `sections()` line for line, so an extra heading on one platform, a
part left out, or two parts swapped all fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from itertools import count, permutations
from typing import Any

import pytest

from adapters.discord.layout import layout
from adapters.slack.blocks import escape, result_blocks
from bot.dialog import Dialog
from bot.engine import Engine, build_engine
from bot.messages import Reply, Result
from bot.render import Section, result_text, sections
from bot.results import SIGN_SUMMARY
from bot.store import MemoryStore
from tests.conftest import Answer, Person

BEHIND: dict[str, Answer] = {"location": "behind"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine(MemoryStore())


def _check(person: Person, answers: Mapping[str, Answer], opening: str = "hi") -> Result:
    person.say(opening)
    return person.answer_until_done({**BEHIND, **answers})


WELL = ["finding", "why", "treatment"]
PARTLY = ["finding", "why", "confirm", "treatment"]
"""The parts of a cause that fits well, and of one that only partly fits."""

FLOWS: dict[str, tuple[Callable[[Person], Result], list[str]]] = {
    "red flag": (
        lambda p: _check(p, {}, "my foot is numb"),
        ["urgency", "title", "reasons", "advice", "summary", "reminder"],
    ),
    "one cause": (
        lambda p: _check(p, {"start_stiffness": "yes"}),
        ["urgency", "title", *WELL, "summary", "reminder"],
    ),
    "two causes": (
        lambda p: _check(p, {"lump": "yes", "injury": "yes"}),
        ["urgency", "title", *WELL, *WELL, "summary", "reminder"],
    ),
    "partly": (
        lambda p: _check(p, {"key_signs": "unsure", "activity": "cycling", "bike_fit": "yes"}),
        ["urgency", "title", *PARTLY, "summary", "reminder"],
    ),
    "well and partly": (
        lambda p: _check(
            p,
            {"toes_up": "yes"},
            "I play football, there might be a lump behind my knee, the knee has been swollen "
            "and it hurts when I bend and straighten it",
        ),
        ["urgency", "title", *WELL, *PARTLY, "summary", "reminder"],
    ),
    "unclear": (
        lambda p: _check(p, {"key_signs": "none", "other_signs": "none"}),
        ["urgency", "title", "advice", "summary", "reminder"],
    ),
    "not covered": (
        lambda p: _check(p, {"location": "front"}),
        ["urgency", "title", "reasons", "advice", "summary", "reminder"],
    ),
}


@pytest.fixture(params=list(FLOWS))
def flow(request: pytest.FixtureRequest, engine: Engine) -> tuple[Result, list[str]]:
    """A result from a real conversation, and the kinds of section it must have, in order."""
    return reached(engine, request.param), FLOWS[request.param][1]


_PEOPLE = count()


def reached(engine: Engine, name: str) -> Result:
    """The result of the flow `name`, reached by someone new (the engine is shared)."""
    return FLOWS[name][0](Person(engine, name=f"person{next(_PEOPLE)}"))


# ----- each layout read back as a person sees it ------------------------------------------
def expected_lines(result: Result) -> list[str]:
    return [line for part in sections(result) for line in (part.heading or "", *part.lines) if line]


def _unbullet(line: str) -> str:
    return line.removeprefix("• ")


def console_lines(result: Result) -> list[str]:
    return [line.removeprefix("  • ") for line in result_text(result).split("\n") if line]


def slack_lines(result: Result) -> list[str]:
    def plain(text: str) -> str:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        text = re.sub(r"^:[a-z_]+: ", "", text)  # the urgency's emoji marker
        return re.sub(r"^\*(.+)\*$", r"\1", text)  # bold headings and urgency

    lines: list[str] = []
    for block in result_blocks(result):
        if block["type"] == "header":
            lines.append(block["text"]["text"])
        elif block["type"] == "section":
            lines += [_unbullet(plain(line)) for line in block["text"]["text"].split("\n")]
        elif block["type"] == "context":
            lines += [plain(element["text"]) for element in block["elements"]]
    return lines


def discord_lines(result: Result) -> list[str]:
    lines: list[str] = []
    for message in layout(Reply(kind="result", text=result_text(result), result=result)):
        content = message.content.removeprefix("\N{POLICE CARS REVOLVING LIGHT} ")
        lines.append(re.sub(r"^\*\*(.+)\*\*$", r"\1", content))
        embed: dict[str, Any] = message.embed.to_dict() if message.embed else {}
        lines += [embed.get("title", ""), embed.get("description", "")]
        for field in embed.get("fields", []):
            lines += [field["name"].strip("\u200b"), *map(_unbullet, field["value"].split("\n"))]
        lines.append(embed.get("footer", {}).get("text", ""))
    return [line for line in lines if line]


LAYOUTS = {"console": console_lines, "slack": slack_lines, "discord": discord_lines}


def finding_heading(result: Result, index: int) -> str:
    """How a finding is headed: the best fit by its name, any other as "Also possible: ...",
    each with how well it fits."""
    finding = result.findings[index]
    name = (
        finding.name[:1].upper() + finding.name[1:]
        if index == 0
        else f"{result.labels['also_possible']}: {finding.name}"
    )
    return f"{name} ({finding.fit_label})"


def parts(result: Result, kind: str) -> list[Section]:
    return [part for part in sections(result) if part.kind == kind]


# ----- one order, every platform ------------------------------------------------------------
def test_every_result_is_laid_out_in_one_order(flow: tuple[Result, list[str]]) -> None:
    result, kinds = flow
    laid_out = sections(result)
    assert [part.kind for part in laid_out] == kinds
    assert laid_out[0].lines == (result.urgency_text,)  # the urgency first, above all on an emergency
    assert laid_out[-1].lines == (result.reminder,)
    assert [part.heading for part in laid_out if part.kind == "finding"] == [
        finding_heading(result, i) for i in range(len(result.findings))
    ]


@pytest.mark.parametrize("platform", list(LAYOUTS))
def test_every_platform_shows_the_same_sections_in_the_same_order(
    flow: tuple[Result, list[str]], platform: str
) -> None:
    result, _ = flow
    assert LAYOUTS[platform](result) == expected_lines(result)


def test_the_plain_text_opens_with_the_urgency_and_ends_with_the_reminder(
    flow: tuple[Result, list[str]],
) -> None:
    result, _ = flow
    text = result_text(result)
    assert text.split("\n")[0] == result.urgency_text
    assert text.split("\n")[-1] == result.reminder
    assert "\n\n\n" not in text


def test_slack_keeps_the_outcome_on_the_first_block(flow: tuple[Result, list[str]]) -> None:
    result, _ = flow
    first = result_blocks(result)[0]
    assert first["block_id"] == f"kneebot_result:{result.cause or 'none'}:{result.urgency}"
    assert escape(result.urgency_text) in first["text"]["text"]  # the urgency, not the title


@pytest.mark.parametrize("platform", list(LAYOUTS))
def test_a_red_flags_advice_is_never_under_what_usually_helps(engine: Engine, platform: str) -> None:
    result = reached(engine, "red flag")
    what_to_do = result.labels["what_to_do"]
    assert result.kind == "red_flag" and result.advice
    (advice,) = parts(result, "advice")
    assert advice.lines == result.advice and what_to_do not in (advice.heading or "")
    shown = LAYOUTS[platform](result)
    assert not [line for line in shown if what_to_do in line]
    before = shown[shown.index(advice.lines[0]) - 1]
    assert before in (result.reasons[-1], advice.heading)  # right after what they told us


# ----- each kind of result, worded from the dialog ---------------------------------------------
def test_a_red_flag_says_what_the_person_told_under_its_heading(engine: Engine, dialog: Dialog) -> None:
    result = reached(engine, "red flag")
    flag = dialog.red_flags["blood_supply"]
    (told,) = parts(result, "reasons")
    assert told.heading == f"{dialog.labels['reasons']}:"
    assert told.lines == (flag.reasons["mentioned"],) and told.bulleted
    (advice,) = parts(result, "advice")
    assert advice.heading == f"{dialog.labels['advice']}:" and advice.lines == flag.advice
    (title,) = parts(result, "title")
    assert title.lines == (flag.title,)


def test_an_out_of_scope_result_explains_why_in_prose_before_its_advice(
    engine: Engine, dialog: Dialog
) -> None:
    result = reached(engine, "not covered")
    outcome = dialog.outcomes["not_behind_knee"]
    (why,) = parts(result, "reasons")
    assert (why.heading, why.bulleted, why.lines) == (None, False, outcome.reasons)
    (advice,) = parts(result, "advice")
    assert advice.heading == f"{dialog.labels['advice']}:" and advice.lines == outcome.advice
    kinds = [part.kind for part in sections(result)]
    assert kinds.index("reasons") < kinds.index("advice")


def test_an_unclear_result_names_no_cause_and_gives_the_dialogs_advice(
    engine: Engine, dialog: Dialog
) -> None:
    result = reached(engine, "unclear")
    assert not parts(result, "finding") and not parts(result, "treatment") and not parts(result, "confirm")
    (title,) = parts(result, "title")
    assert title.lines == (dialog.unclear.title,)
    (advice,) = parts(result, "advice")
    assert advice.lines == dialog.unclear.advice


@pytest.mark.parametrize("name", ["one cause", "two causes", "partly", "well and partly"])
def test_each_finding_says_how_well_it_fits_why_and_what_helps(
    engine: Engine, dialog: Dialog, name: str
) -> None:
    result = reached(engine, name)
    laid_out = sections(result)
    starts = [i for i, part in enumerate(laid_out) if part.kind == "finding"]
    assert len(starts) == len(result.findings)
    for index, (finding, start) in enumerate(zip(result.findings, starts, strict=True)):
        cause = dialog.causes[finding.cause]
        label = dialog.labels["fits_well" if finding.fit == "well" else "fits_partly"]
        assert finding.fit_label == label
        assert laid_out[start].heading == finding_heading(result, index)
        assert laid_out[start].lines == (cause.about,)
        end = starts[index + 1] if index + 1 < len(starts) else len(laid_out)
        block = {
            part.kind: part
            for part in laid_out[start + 1 : end]
            if part.kind in ("why", "confirm", "treatment")
        }
        assert block["why"].heading == f"{dialog.labels['why']}:"
        assert set(block["why"].lines) <= {sign.reason for sign in cause.signs}
        assert block["treatment"].heading == f"{dialog.labels['what_to_do']}:"
        assert set(block["treatment"].lines) <= {line.text for line in cause.treatment}
        if finding.fit == "partly":  # what would settle it, between why it fits and what helps
            assert block["confirm"].heading == f"{dialog.labels['would_confirm']}:"
            assert block["confirm"].lines == (cause.confirm,)
            assert list(block) == ["why", "confirm", "treatment"]
        else:
            assert "confirm" not in block


@pytest.mark.parametrize(
    ("name", "template"),
    [("one cause", "one_cause"), ("two causes", "two_causes"), ("partly", "possible_cause")],
)
def test_the_title_says_how_sure_the_answers_make_it(
    engine: Engine, dialog: Dialog, name: str, template: str
) -> None:
    result = reached(engine, name)
    names = [f.name for f in result.findings]
    assert result.title == dialog.labels[template].format(first=names[0], second=names[-1])
    (title,) = parts(result, "title")
    assert title.lines == (result.title,)


# ----- the summary for a clinician --------------------------------------------------------------
def test_the_summary_carries_context_such_as_a_long_flight(engine: Engine, dialog: Dialog) -> None:
    person = Person(engine, name=f"person{next(_PEOPLE)}")
    result = _check(person, {}, "my calf is swollen and red since my long flight")
    assert result.red_flag == "calf_clot"
    travel = dialog.facts["recent_travel"].value("yes")
    assert travel is not None and travel.note in result.summary
    (summary,) = parts(result, "summary")
    assert summary.heading == f"{dialog.labels['summary']}:" and summary.lines == result.summary
    assert travel.note in result_text(result)


CONTEXT = "I had knee surgery last month, I'm 70 and I'm a runner"
"""An opening with context a clinician wants (surgery, age) besides the activity."""
CONTEXT_NOTES = (("recent_surgery", "yes"), ("age", "older"), ("activity", "running"), ("lump", "yes"))


def test_the_summary_lists_the_context_and_then_the_warning_signs(engine: Engine, dialog: Dialog) -> None:
    result = _check(Person(engine, name=f"person{next(_PEOPLE)}"), {"lump": "yes"}, CONTEXT)
    assert result.cause == "bakers_cyst"
    notes = [_note(dialog, fact, value) for fact, value in CONTEXT_NOTES]
    assert all(note and note in result.summary for note in notes)
    signs = [
        i for i, line in enumerate(result.summary) if any(f.note in line for f in dialog.red_flags.values())
    ]
    facts = [result.summary.index(note) for note in notes]
    assert signs and max(facts) < min(signs)  # every warning sign after every fact
    assert "" not in result.summary


def test_the_summary_opens_with_where_it_hurts_even_with_context_before_it(
    engine: Engine, dialog: Dialog
) -> None:
    result = _check(Person(engine, name=f"person{next(_PEOPLE)}"), {"lump": "yes"}, CONTEXT)
    assert result.summary[0] == _note(dialog, "location", "behind")


def test_the_summary_of_a_first_message_warning_sign_starts_from_the_dialogs_intro(
    engine: Engine, dialog: Dialog
) -> None:
    result = reached(engine, "red flag")
    assert result.summary[0] == dialog.labels["summary_intro"]
    assert result.summary[-1] == dialog.labels["summary_mentioned"].format(
        what=dialog.red_flags["blood_supply"].note
    )


def _note(dialog: Dialog, fact: str, value: str) -> str:
    chosen = dialog.facts[fact].value(value)
    return chosen.note if chosen is not None else ""


# ----- honest wording: nothing but the dialog's own sentences ----------------------------------
def dialog_texts(dialog: Dialog) -> set[str]:
    """Every sentence a result may show, as the dialog file words it."""
    labels = {k: v for k, v in dialog.labels.items() if isinstance(v, str)}
    texts = {dialog.reminder, *dialog.labels["urgency"].values(), labels["summary_intro"]}
    texts |= {value.note for fact in dialog.facts.values() for value in fact.values if value.note}
    for flag in dialog.red_flags.values():
        texts |= {flag.title, *flag.reasons.values(), *flag.advice}
        texts |= {labels[label].format(what=flag.note) for label in SIGN_SUMMARY.values()}
    for outcome in dialog.outcomes.values():
        texts |= {outcome.title, *outcome.reasons, *outcome.advice}
    names = [cause.name for cause in dialog.causes.values()]
    for cause in dialog.causes.values():
        texts |= {
            cause.about,
            cause.confirm,
            *(s.reason for s in cause.signs),
            *(line.text for line in cause.treatment),
        }
    for first, second in [*permutations(names, 2), *((n, n) for n in names)]:
        texts |= {labels[t].format(first=first, second=second) for t in ("one_cause", "two_causes", "more_causes", "possible_cause")}  # fmt: skip
    texts |= {dialog.unclear.title, *dialog.unclear.advice}
    return texts


def dialog_headings(dialog: Dialog) -> Iterator[str]:
    labels = {k: v for k, v in dialog.labels.items() if isinstance(v, str)}
    yield from (f"{label}:" for label in labels.values())
    for cause in dialog.causes.values():
        for fit in (labels["fits_well"], labels["fits_partly"]):
            yield f"{cause.name[:1].upper()}{cause.name[1:]} ({fit})"
            yield f"{labels['also_possible']}: {cause.name} ({fit})"


def test_every_word_of_a_result_comes_from_the_dialog(flow: tuple[Result, list[str]], dialog: Dialog) -> None:
    result, _ = flow
    texts, headings = dialog_texts(dialog), set(dialog_headings(dialog))
    for part in sections(result):
        assert part.heading is None or part.heading in headings, part.heading
        assert set(part.lines) <= texts, set(part.lines) - texts
