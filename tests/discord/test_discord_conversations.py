"""Whole checks on Discord, as a person does them: /kneepain and buttons, typing in a DM, an old
button, an emergency, and the bot restarting in the middle."""

from __future__ import annotations

import copy
import logging
import time

import pytest
from discord_fake import Shown
from discord_world import GUILD, MASON, SERVER_CHANNEL, DiscordWorld, buttons, menus

from adapters.discord.layout import CUSTOM_ID_PREFIX, URGENCY_COLOURS
from bot.dialog import Dialog
from bot.engine import TurnRecord
from bot.keys import conversation_key
from bot.replies import parse_token

HAMSTRING_BY_TYPING = {
    "screen_emergency": "none",
    "screen_urgent": "none",
    "location": "behind",
    "key_signs": "it's stiff when I set off",
}
"""What to type at each question the check may ask (the opening may already have said where)."""


def hamstring_by_button(dialog: Dialog) -> list[str]:
    """The buttons of a check that ends in hamstring tendonitis: no warning sign on either
    screen, the pain behind the knee, and stiffness at the start of a run as the key sign."""
    behind = dialog.facts["location"].value("behind")
    assert behind is not None
    stiff = next(o.label for o in dialog.questions["key_signs"].options if o.fact == "start_stiffness")
    screens = [dialog.questions[screen].none_label for screen in ("screen_emergency", "screen_urgent")]
    return [*screens, behind.label, stiff]


def texts(shown: list[Shown]) -> list[str]:
    return [s.data["content"] for s in shown]


def dm_key(world: DiscordWorld) -> str:
    return conversation_key("discord", "dm", world.fake.dm_channel(MASON)["id"], MASON["id"])


def click_newest(world: DiscordWorld, label: str) -> list[Shown]:
    return world.click(world.newest_offering(label), label)


def test_slash_command_and_buttons_carry_a_whole_check_to_a_result_embed(world: DiscordWorld) -> None:
    note, first_dm = world.slash(where="server")  # the greeting and the first question: one message
    assert note.viewer == int(MASON["id"]) and note.ephemeral  # only the person sees the note
    assert f"/channels/@me/{first_dm.data['channel_id']}/{first_dm.id}" in note.data["content"]
    assert "I am not a doctor" in first_dm.data["content"]
    assert first_dm.data["content"].endswith("\n\nDo any of these apply to you right now?")
    assert world.fake.public_in(SERVER_CHANNEL) == []

    for label in hamstring_by_button(world.engine.dialog):
        question = world.newest_offering(label)
        asked = question.data["content"]
        in_menu = any(label == o["label"] for menu in menus(question) for o in menu["options"])
        new = world.pick(question, (label,)) if in_menu else world.click(question, label)
        answered = world.fake.shown[question.id].data
        assert answered["content"] == f"{asked}\n\n✅ {label}"
        assert answered["components"] == []  # a clicked question loses its buttons
        assert new and all(not s.ephemeral for s in new)

    (result,) = new
    assert result.data["content"] == "See a doctor or physiotherapist soon, especially if it isn't improving."
    (embed,) = result.data["embeds"]
    assert embed["color"] == URGENCY_COLOURS["soon"]
    assert embed["title"] == "Your answers fit hamstring tendonitis best."
    headings = [field["name"] for field in embed["fields"]]
    assert headings[0] == f"Hamstring tendonitis ({world.engine.dialog.labels['fits_well']})"
    assert {"Why this fits:", "What usually helps:", "Summary to show a clinician:"} <= set(headings)
    assert embed["footer"]["text"].startswith("I can't examine you, so this is a guide and not a diagnosis.")
    assert [label for label, _ in buttons(result)] == ["Start a new check"]
    saved = world.engine.store.load(dm_key(world), now=time.time())
    assert saved is not None and saved.state == "assess"


def question_of(shown: Shown) -> str:
    """The question a message asks, from the token its buttons carry."""
    (_, custom_id), *_ = buttons(shown)
    return parse_token(custom_id.removeprefix(CUSTOM_ID_PREFIX)).state


def test_typed_answers_in_a_dm_carry_a_whole_check(world: DiscordWorld) -> None:
    turns: list[TurnRecord] = []
    world.engine.observers.append(turns.append)
    shown = world.type("hi, my knee hurts behind")
    assert "I am not a doctor" in shown[0].data["content"]
    answered: list[str] = []
    while not shown[-1].data.get("embeds"):
        assert buttons(shown[-1]), "every question keeps its buttons, so either way of answering works"
        question = question_of(shown[-1])
        assert question not in answered, f"{question} was asked again: {texts(shown)}"
        answered.append(question)
        shown = world.type(HAMSTRING_BY_TYPING[question])
        assert len(shown) == 1 or "Now a few questions" in shown[0].data["content"], texts(shown)
    (result,) = shown
    assert result.data["embeds"][0]["title"] == "Your answers fit hamstring tendonitis best."
    assert {"screen_emergency", "screen_urgent", "key_signs"} <= set(answered)
    # One message per turn, each of which came back over the gateway and none became a turn.
    assert world.fake.gateway.echoed == len(world.seen()) == len(answered) + 1
    assert [t.event for t in turns] == ["start"] + ["answer"] * (len(answered) - 1) + ["result"]


def test_an_emergency_stands_out_first_and_in_red(world: DiscordWorld) -> None:
    world.type("hi")
    (result,) = click_newest(world, "Short of breath, chest pain or coughing blood")
    first_line = result.data["content"].splitlines()[0]
    assert "**EMERGENCY: call your local emergency number (999, 911, 112) now.**" in first_line
    (embed,) = result.data["embeds"]
    assert embed["color"] == URGENCY_COLOURS["emergency"] == 0xE74C3C
    assert embed["title"] == "These can be signs of a blood clot that has reached the lungs."
    headings = [field["name"] for field in embed["fields"]]
    assert "What usually helps:" not in headings  # that heads a cause's treatment, not a red flag's advice
    (told, advice, summary) = embed["fields"]
    assert told["name"] == "What you told me:"
    assert advice["name"] == "What to do now:"  # the same heading as the console and Slack
    assert advice["value"].startswith("• Call your local emergency number now")
    assert summary["name"] == "Summary to show a clinician:"


def test_an_old_button_gets_a_private_note_and_changes_nothing(world: DiscordWorld) -> None:
    *_, first = world.type("hi")
    world.type("none of these")  # answered by typing: the first question keeps its buttons
    before = world.engine.store.load(dm_key(world), now=time.time())

    (again,) = world.click(first, "Not sure")  # the note and the current question, together

    assert again.ephemeral  # only the clicker sees it
    assert again.data["content"].startswith("That button belongs to an earlier question")
    assert again.data["content"].endswith("\n\nAnd do any of these apply?")
    assert len(world.fake.shown[first.id].history) == 1  # the old message is untouched
    after = world.engine.store.load(dm_key(world), now=time.time())
    assert after is not None and before is not None
    assert (after.state, after.answers, after.step) == (before.state, before.answers, before.step)
    # The repeated question's buttons work: the check carries on.
    (next_question,) = world.click(again, "None of these")
    assert next_question.data["content"].endswith(f"\n\n{world.engine.dialog.questions['location'].text}")


def test_a_double_click_counts_once(world: DiscordWorld) -> None:
    *_, question = world.type("hi")
    as_first_seen = question.history[0]
    world.click(question, "None of these")
    second = world.click(question, "None of these", as_seen=as_first_seen)
    assert second[0].ephemeral and "earlier question" in second[0].data["content"]
    assert world.fake.shown[question.id].data["content"].endswith("✅ None of these")


def test_a_button_sent_before_a_restart_still_answers_after_it(world: DiscordWorld) -> None:
    world.slash(where="server")
    click_newest(world, "None of these")
    question = world.newest_offering("None of these")  # "And do any of these apply?"

    world.restart_bot()  # a new process: new client, new engine, same SQLite file

    new = world.click(question, "None of these")
    assert world.fake.shown[question.id].data["components"] == []
    dialog = world.engine.dialog
    assert [s.data["content"] for s in new] == [
        f"{dialog.messages['questions_intro']}\n\n{dialog.questions['location'].text}"
    ]
    saved = world.engine.store.load(dm_key(world), now=time.time())
    screens = (*dialog.questions["screen_emergency"].facts, *dialog.questions["screen_urgent"].facts)
    assert saved is not None and saved.answers == dict.fromkeys(screens, "no")


def test_the_same_message_delivered_twice_is_answered_once(world: DiscordWorld) -> None:
    world.type("hi")
    message_id = str(world.fake.new_id())
    first = world.type("none", message_id=message_id)
    again = world.type("none", message_id=message_id)  # a gateway replay after a resume
    assert [s.data["content"] for s in first] == ["And do any of these apply?"]
    assert again == []


def redeliver_last_interaction(world: DiscordWorld, *, own_token: bool) -> list[Shown]:
    """The last interaction delivered once more: as it was (so Discord refuses a second
    acknowledgement), or with the same id but a token of its own (so only the engine's
    duplicate check stops a second answer)."""
    data = copy.deepcopy(list(world.fake.interactions.values())[-1])
    if own_token:
        data["token"] += "-again"
        world.fake.interactions[data["token"]] = data
    return world.deliver("INTERACTION_CREATE", data, MASON)


@pytest.mark.parametrize("where", ["dm", "server"])
def test_a_duplicate_slash_command_leaves_no_thinking_behind(world: DiscordWorld, where: str) -> None:
    turns: list[TurnRecord] = []
    world.engine.observers.append(turns.append)
    first = world.slash(where=where)

    again = redeliver_last_interaction(world, own_token=True)

    assert again == []
    assert [t.event for t in turns][-1] == "duplicate"  # the engine answered nothing...
    assert not [s for s in world.fake.shown.values() if s.loading]  # ...and no "thinking…" spins on
    assert [s.id for s in world.seen()] == [s.id for s in first]


@pytest.mark.parametrize("interaction", ["slash command", "button click"])
def test_an_interaction_acknowledged_already_is_left_to_the_first_delivery(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture, interaction: str
) -> None:
    world.slash(where="dm")
    if interaction == "button click":
        click_newest(world, "None of these")
    first = world.seen()
    with caplog.at_level(logging.INFO):
        again = redeliver_last_interaction(world, own_token=False)
    assert again == []
    assert [s.id for s in world.seen()] == [s.id for s in first]
    assert "already acknowledged: a duplicate delivery" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # not an error


def test_slash_command_in_the_bots_dm_answers_right_there(world: DiscordWorld) -> None:
    shown = world.slash(where="dm")
    assert [s.viewer for s in shown] == [None]  # one ordinary DM message, no note
    assert shown[-1].data["content"].endswith("Do any of these apply to you right now?")
    assert all(s.data["channel_id"] == world.fake.dm_channel(MASON)["id"] for s in shown)
    # Running it again in a server picks up the same check in the DM.
    note, question = world.slash(where="server")
    assert note.ephemeral and int(question.data["channel_id"]) != GUILD
    assert question.data["content"] == (
        "Welcome back. Let's carry on where we left off.\n\nDo any of these apply to you right now?"
    )


def test_a_multi_select_question_is_one_menu_whose_choices_are_one_answer(world: DiscordWorld) -> None:
    dialog = world.engine.dialog
    world.type("hi, the pain is behind my knee")
    for screen in ("screen_emergency", "screen_urgent"):
        click_newest(world, dialog.questions[screen].none_label)
    key_signs = dialog.questions["key_signs"]
    question = world.newest_offering(key_signs.none_label)
    (menu,) = menus(question)
    assert [o["label"] for o in menu["options"]] == [o.label for o in key_signs.options]
    assert menu["min_values"] == 1 and menu["max_values"] == len(key_signs.options)
    assert menu["placeholder"] == dialog.messages["multi_prompt"]
    assert [label for label, _ in buttons(question)] == [key_signs.none_label, key_signs.unsure_label]

    lump, twist = (next(o.label for o in key_signs.options if o.fact == f) for f in ("lump", "injury"))
    new = world.pick(question, (lump, twist))

    assert world.fake.shown[question.id].data["content"].endswith(f"✅ {lump}, {twist}")
    assert world.fake.shown[question.id].data["components"] == []
    saved = world.engine.store.load(dm_key(world), now=time.time())
    assert saved is not None
    assert (saved.answers["lump"], saved.answers["injury"], saved.answers["start_stiffness"]) == (
        "yes",
        "yes",
        "no",
    )
    assert new and "key_signs" not in [question_of(s) for s in new if buttons(s)]
