"""One result, one layout: the console, Slack and Discord show the same sections in the same order.

Results come from the real engine (real dialog, real answers), so a new kind of result part or
a reordering in `bot.render.sections` is checked on every platform at once. Each platform's
output is read back as a person sees it (markup and bullets dropped, headings and lines in
order) and compared with `sections()` line for line, so an extra heading on one platform, a
part left out, or two parts swapped all fail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from adapters.discord.layout import layout
from adapters.slack.blocks import escape, result_blocks
from bot.engine import Engine, build_engine
from bot.messages import Reply, Result
from bot.render import result_text, sections
from bot.store import MemoryStore
from tests.conftest import Person

SAFE = {"screen_emergency": "none of these", "screen_urgent": "none", "onset": "not sure"}


@pytest.fixture(scope="module")
def engine() -> Engine:
    return build_engine(MemoryStore())


def red_flag(person: Person) -> Result:
    person.say("my foot is numb")
    return person.result


def one_cause(person: Person) -> Result:
    person.say("hi")
    return person.answer_until_done(
        {**SAFE, "activity": "running", "start_stiffness": "yes", "long_runs": "yes"}
    )


def two_causes(person: Person) -> Result:
    person.say("hi")
    return person.answer_until_done(
        {**SAFE, "activity": "running", "lump": "yes", "bend_straighten": "yes", "onset": "a twist"}
    )


def unclear(person: Person) -> Result:
    person.say("hi")
    return person.answer_until_done({**SAFE, "activity": "running", "onset": "not sure"})


FLOWS: dict[str, tuple[Callable[[Person], Result], list[str]]] = {
    "red flag": (red_flag, ["urgency", "title", "reasons", "advice", "summary", "reminder"]),
    "one cause": (one_cause, ["urgency", "title", "finding", "why", "treatment", "summary", "reminder"]),
    "two causes": (
        two_causes,
        ["urgency", "title", *["finding", "why", "treatment"] * 2, "summary", "reminder"],
    ),
    "unclear": (unclear, ["urgency", "title", "advice", "summary", "reminder"]),
}


@pytest.fixture(params=list(FLOWS))
def flow(request: pytest.FixtureRequest, engine: Engine) -> tuple[Result, list[str]]:
    """A result from a real conversation, and the kinds of section it must have, in order."""
    reach, kinds = FLOWS[request.param]
    return reach(Person(engine, name=request.param.replace(" ", "_"))), kinds


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


# ----- the tests ----------------------------------------------------------------------------
def test_every_result_is_laid_out_in_one_order(flow: tuple[Result, list[str]]) -> None:
    result, kinds = flow
    parts = sections(result)
    assert [part.kind for part in parts] == kinds
    assert parts[0].lines == (result.urgency_text,)  # the urgency first, above all on an emergency
    assert parts[-1].lines == (result.reminder,)
    findings = [part.heading for part in parts if part.kind == "finding"]
    assert findings == [
        f.name[:1].upper() + f.name[1:] if i == 0 else f"{result.labels['also_possible']}: {f.name}"
        for i, f in enumerate(result.findings)
    ]


@pytest.mark.parametrize("platform", list(LAYOUTS))
def test_every_platform_shows_the_same_sections_in_the_same_order(
    flow: tuple[Result, list[str]], platform: str
) -> None:
    result, _ = flow
    assert LAYOUTS[platform](result) == expected_lines(result)


def test_slack_keeps_the_outcome_on_the_first_block(flow: tuple[Result, list[str]]) -> None:
    result, _ = flow
    first = result_blocks(result)[0]
    assert first["block_id"] == f"kneebot_result:{result.cause or 'none'}:{result.urgency}"
    assert escape(result.urgency_text) in first["text"]["text"]  # the urgency, not the title


@pytest.mark.parametrize("platform", list(LAYOUTS))
def test_a_red_flags_advice_is_never_under_what_usually_helps(engine: Engine, platform: str) -> None:
    result = red_flag(Person(engine, name=f"flag_{platform}"))
    what_to_do = result.labels["what_to_do"]
    assert result.kind == "red_flag" and result.advice
    (advice,) = [part for part in sections(result) if part.kind == "advice"]
    assert advice.lines == result.advice and what_to_do not in (advice.heading or "")
    shown = LAYOUTS[platform](result)
    assert not [line for line in shown if what_to_do in line]
    before = shown[shown.index(advice.lines[0]) - 1]
    assert before in (result.reasons[-1], advice.heading)  # right after what they told us
