"""Replies laid out for Discord within its hard limits, checked with real discord.py objects and
the same limits the fake Discord enforces on every message in the other tests."""

from __future__ import annotations

import re

import discord
import pytest
from discord_driver import visible_text
from discord_fake import invalid

from adapters.discord.layout import CUSTOM_ID_PREFIX, ChoiceButton, layout, split_text
from bot.messages import Choice, Finding, Reply, Result

LABELS = {
    "why": "Why this fits",
    "what_to_do": "What usually helps",
    "also_possible": "Also possible",
    "summary": "Summary to show a clinician",
    "reasons": "What you told me",
}


def sentence(n: int, length: int) -> str:
    return f"step {n:03d} " + "x" * (length - 9)


def huge_result() -> Result:
    findings = tuple(
        Finding(
            cause=f"cause_{i}",
            name=f"cause number {i}",
            about=sentence(i, 900),
            reasons=tuple(sentence(i * 100 + j, 300) for j in range(6)),
            treatment=tuple(sentence(i * 1000 + j, 400) for j in range(8)),
        )
        for i in range(4)
    )
    return Result(
        kind="cause",
        urgency="urgent",
        title="T" * 300,
        urgency_text="URGENT: get seen by a doctor today.",
        findings=findings,
        summary=tuple(sentence(9000 + j, 200) for j in range(12)),
        reminder="Please see a doctor.",
        labels=LABELS,
    )


def sent_form(message: discord.Embed | None, content: str, view: discord.ui.View | None) -> dict:
    """The JSON discord.py would send for this message."""
    return {
        "content": content,
        "embeds": [message.to_dict()] if message else [],
        "components": view.to_components() if view else [],
    }


def test_a_very_long_result_is_split_over_messages_within_discord_limits() -> None:
    result = huge_result()
    reply = Reply(
        kind="result",
        text="(plain)",
        result=result,
        choices=(Choice(label="Start a new check", value="restart", token="cmd|restart"),),
    )

    messages = layout(reply)

    assert len(messages) > 1
    forms = [sent_form(m.embed, m.content, m.view()) for m in messages]
    assert [invalid(form) for form in forms] == [None] * len(forms)
    assert messages[0].content == "**URGENT: get seen by a doctor today.**"
    assert all(m.embed is not None and m.embed.colour == discord.Colour.orange() for m in messages)
    assert [bool(m.choices) for m in messages] == [False] * (len(messages) - 1) + [True]
    shown = "\n".join(visible_text(form) for form in forms)
    everything = [*result.summary, *(line for f in result.findings for line in (*f.reasons, *f.treatment))]
    assert all(line in shown for line in everything)  # nothing was dropped in the splitting
    assert result.title in shown and shown.rstrip().endswith("Please see a doctor.")


def test_long_text_splits_at_line_breaks_and_cuts_only_overlong_lines() -> None:
    text = "\n".join(["a" * 1500, "b" * 1500, "c" * 4500])
    pieces = split_text(text, 2000)
    assert all(len(p) <= 2000 for p in pieces)
    assert pieces[:2] == ["a" * 1500, "b" * 1500]
    assert "".join(pieces[2:]) == "c" * 4500


@pytest.mark.parametrize("token", ["screen_emergency|0|none", "cmd|restart", "a|12|b c"])
def test_a_button_carries_the_choice_token_in_its_custom_id(token: str) -> None:
    button = ChoiceButton(token, "None of these")
    assert button.custom_id == CUSTOM_ID_PREFIX + token
    match = button.template.fullmatch(button.custom_id)
    assert match is not None and match["token"] == token
    assert not ChoiceButton.__discord_ui_compiled_template__.fullmatch("other-app:" + token)


def test_a_choice_whose_token_cannot_fit_a_custom_id_gets_no_button() -> None:
    choices = (
        Choice(label="Yes", value="yes", token="q|1|yes"),
        Choice(label="Too long", value="x", token="q|1|" + "x" * 100),
    )
    (message,) = layout(Reply(kind="question", text="Does it hurt?", choices=choices))
    view = message.view()
    assert view is not None
    assert [item.label for item in view.children] == ["Yes"]  # type: ignore[attr-defined]
    assert re.fullmatch(r"kb:q\|1\|yes", view.children[0].custom_id)  # type: ignore[attr-defined]
