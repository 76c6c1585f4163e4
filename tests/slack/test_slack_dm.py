"""Whole conversations in a DM through the real Bolt app: typed, clicked, and the result's layout."""

from __future__ import annotations

from typing import Any

from slack_fake_api import Call
from slack_harness import SlackPerson, buttons_of, labels_of, outcome_of, posted, texts, visible_text

HAMSTRING_BY_TYPING = {
    "screen_emergency": "none of these",
    "screen_urgent": "none",
    "location": "behind the knee",
    "key_signs": "it's stiff when I set off",
}


def question_id(call: Call) -> str | None:
    for block in call.blocks:
        block_id = str(block.get("block_id", ""))
        if block_id.startswith("kneebot_question:"):
            return block_id.split(":", 1)[1]
    return None


def result_call(calls: list[Call]) -> Call | None:
    return next((c for c in calls if outcome_of(c) is not None), None)


def answer_by_typing(person: SlackPerson, answers: dict[str, str]) -> Call:
    calls = person.say("hi")
    for _ in range(30):
        found = result_call(calls)
        if found is not None:
            return found
        asked = [question_id(c) for c in posted(calls, person.dm) if question_id(c)]
        assert asked, f"no question was asked; the bot said {texts(calls)}"
        calls = person.say(answers.get(str(asked[-1]), "no"))
    raise AssertionError("no result after 30 answers")


def blocks_of_type(call: Call, kind: str) -> list[dict[str, Any]]:
    return [b for b in call.blocks if b["type"] == kind]


def test_a_typed_conversation_in_a_dm_ends_in_a_laid_out_result(person: SlackPerson) -> None:
    result = answer_by_typing(person, HAMSTRING_BY_TYPING)

    assert result.channel == person.dm
    assert outcome_of(result) == ("hamstring_tendonitis", "soon")
    urgency, title = result.blocks[:2]  # the urgency first on every result, then the title
    assert urgency["block_id"] == "kneebot_result:hamstring_tendonitis:soon"
    assert urgency["text"]["text"].startswith(":stethoscope: *See a doctor or physiotherapist soon")
    assert title["type"] == "header"
    assert title["text"]["text"] == "Your answers fit hamstring tendonitis best."
    shown = visible_text(result.blocks)
    for heading in ("Why this fits:", "What usually helps:", "Summary to show a clinician:"):
        assert heading in shown
    assert "Strengthen your glutes" in shown  # the treatment itself, not just its heading
    assert "I can't examine you" in blocks_of_type(result, "context")[-1]["elements"][0]["text"]
    assert result.args["text"].startswith("See a doctor or physiotherapist soon")  # notification fallback
    assert labels_of(result) == ("Start a new check",)


CALF_BY_BUTTON = {
    "screen_emergency": "None of these",
    "screen_urgent": "None of these",
    "location": "Behind the knee",
    "key_signs": "Not sure",
    "activity": "Cycling",
    "bend_straighten": "No",
    "swelling": "No",
    "bike_fit": "Yes",
    "hills": "Yes",
}
"""The button to click at each question the check may ask: not sure about the key signs, and a
cyclist whose saddle may be set wrong (the calf tendons)."""


def test_a_conversation_by_buttons_marks_each_clicked_question_answered(
    person: SlackPerson, fake: Any
) -> None:
    calls = person.say("hello")
    asked: list[str] = []
    while result_call(calls) is None:
        assert len(asked) < len(CALF_BY_BUTTON), f"asked {asked}, then {texts(calls)}"
        question = posted(calls, person.dm)[-1]
        asked.append(str(question_id(question)))
        label = CALF_BY_BUTTON[asked[-1]]
        calls = person.click(label, on=question)
        updates = [c for c in calls if c.method == "chat.update"]
        assert len(updates) == 1, f"clicking {label!r} should edit that question once"
        edit = updates[0]
        assert (edit.channel, edit.ts) == (question.channel, question.ts)
        assert not [b for b in edit.blocks if b["type"] == "actions"], (
            "the answered question keeps no buttons"
        )
        assert visible_text(edit.blocks).endswith(f"You chose: {label}")
    assert {"location", "key_signs", "activity", "bike_fit"} <= set(asked)  # every kind of question
    result = result_call(calls)
    assert result is not None
    assert outcome_of(result) == ("gastrocnemius_tendonitis", "soon")
    assert "gastrocnemius" in visible_text(result.blocks).lower()


def test_an_emergency_result_opens_with_a_siren(person: SlackPerson) -> None:
    person.say("hi")
    calls = person.click("Short of breath, chest pain or coughing blood")
    result = result_call(calls)
    assert result is not None
    assert outcome_of(result) == (None, "emergency")
    first = result.blocks[0]
    assert first["type"] == "section" and first["block_id"] == "kneebot_result:none:emergency"
    assert first["text"]["text"].startswith(":rotating_light: *EMERGENCY")
    assert "emergency number" in result.args["text"].splitlines()[0]


def test_buttons_are_one_per_choice_and_carry_the_engine_token(person: SlackPerson) -> None:
    calls = person.say("hi")
    question = posted(calls, person.dm)[-1]
    buttons = buttons_of(question)
    assert [b["text"]["text"] for b in buttons] == [
        "Short of breath, chest pain or coughing blood",
        "Foot cold, pale, numb or tingling",
        "Hurt it and can't take 4 steps, or knee looks deformed",
        "None of these",
        "Not sure",
    ]
    assert len({b["action_id"] for b in buttons}) == len(buttons)
    assert buttons[3]["value"].startswith("screen_emergency|") and buttons[3]["value"].endswith("|none")
    assert {b["block_id"] for b in buttons} == {f"kneebot_choices:{person.user}"}


def test_typed_numbers_and_words_answer_a_question_offered_with_buttons(person: SlackPerson) -> None:
    person.say("hi")
    calls = person.say("4")  # "None of these", by its number
    assert question_id(posted(calls, person.dm)[-1]) == "screen_urgent"
    assert not [c for c in calls if c.method == "chat.update"], "typing leaves the buttons message alone"


def test_a_stale_click_is_answered_privately_and_changes_nothing(person: SlackPerson, fake: Any) -> None:
    first = posted(person.say("hi"), person.dm)[-1]
    person.say("none of these")  # answered by typing: the first question still shows its buttons
    calls = person.click("Not sure", on=first)

    ephemeral = [c for c in calls if c.method == "chat.postEphemeral"]
    assert len(ephemeral) == 1 and ephemeral[0].args["user"] == person.user
    assert "earlier question" in visible_text(ephemeral[0].blocks)
    assert not [c for c in calls if c.method == "chat.update"], "the old question is left as it was"
    assert [question_id(c) for c in posted(calls)] == ["screen_urgent"], "the current question, again"
    # The answers are unchanged: the next typed answer still answers screen_urgent.
    assert question_id(posted(person.say("none"), person.dm)[-1]) == "location"


def test_a_click_on_someone_elses_question_is_refused_gently(
    person: SlackPerson, other_person: SlackPerson
) -> None:
    question = posted(person.say("hi"), person.dm)[-1]
    calls = person.click("None of these", on=question, clicker=other_person.user)

    sent = [c for c in calls if c.method != "users.info"]  # (the clicker's language, for the note)
    assert [c.method for c in sent] == ["chat.postEphemeral"]
    assert sent[0].args["user"] == other_person.user
    assert "belongs to someone else" in visible_text(sent[0].blocks)
    # The owner's conversation did not move: their own click still answers the first question.
    mine = person.click("None of these", on=question)
    assert question_id(posted(mine, person.dm)[-1]) == "screen_urgent"


def test_commands_work_in_slack_too(person: SlackPerson) -> None:
    person.say("hi")
    person.say("none")
    calls = person.say("back")
    shown = texts(calls)
    assert shown[0] == "OK, I've taken back your last answer."
    assert question_id(posted(calls)[-1]) == "screen_emergency"
    assert texts(person.say("stop")) == [
        "OK, I've stopped and deleted this check. Say hi whenever you'd like to start a new one."
    ]


def test_a_turn_is_one_slack_message_and_a_result_stands_alone(person: SlackPerson) -> None:
    first = posted(person.say("hi"), person.dm)
    assert len(first) == 1  # greeting, safety note and question arrive as one notification
    assert texts(first) == [
        person.rig.engine.dialog.messages["greeting"],
        person.rig.engine.dialog.messages["safety_intro"],
        "Do any of these apply to you right now?",
    ]
    assert labels_of(first[0])[-2:] == ("None of these", "Not sure")
    escalated = posted(person.say("my foot is numb, and it's a very long story " * 60), person.dm)
    assert len(escalated) == 2  # the "read only the start" note, then the result on its own
    assert outcome_of(escalated[0]) is None
    assert outcome_of(escalated[1]) == (None, "emergency")


def _to_key_signs(person: SlackPerson) -> Call:
    person.say("hi, it hurts behind my knee")
    person.click("None of these")
    calls = person.click("None of these")
    question = posted(calls, person.dm)[-1]
    assert question_id(question) == "key_signs"
    return question


def test_a_multi_select_question_is_checkboxes_sent_with_done(person: SlackPerson) -> None:
    question = _to_key_signs(person)
    (boxes,) = [
        e for b in blocks_of_type(question, "actions") for e in b["elements"] if e["type"] == "checkboxes"
    ]
    assert [o["text"]["text"] for o in boxes["options"]][:2] == [
        "Stiff or sore when you set off, easing after a few minutes",
        "A soft lump behind the knee, like a small water balloon",
    ]
    assert [b["text"]["text"] for b in buttons_of(question)] == ["Done", "None of these", "Not sure"]
    block_ids = [b.get("block_id") for b in question.blocks]
    assert len(block_ids) == len(set(block_ids)), "Slack refuses a message whose block ids repeat"

    calls = person.pick(
        ("A soft lump behind the knee, like a small water balloon", "It started with a twist or a fall")
    )

    (edit,) = [c for c in calls if c.method == "chat.update"]
    assert visible_text(edit.blocks).endswith(
        "You chose: A soft lump behind the knee, like a small water balloon, It started with a twist or a fall"
    )
    after = posted(calls, person.dm)[-1]
    assert question_id(after) != "key_signs"  # both picks were one answer, and the check moved on


def test_done_with_nothing_ticked_answers_none_of_these(person: SlackPerson) -> None:
    question = _to_key_signs(person)
    calls = person.click("Done", on=question)
    (edit,) = [c for c in calls if c.method == "chat.update"]
    assert visible_text(edit.blocks).endswith("You chose: None of these")
    assert question_id(posted(calls, person.dm)[-1]) not in (None, "key_signs")
