"""What the bot must never do on Discord: show a check where others can see it, ping anyone,
answer bots, ask for privileged data, or put what people said into the logs."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from discord_fake import payload
from discord_world import MASON, SERVER_CHANNEL, TOKEN, DiscordWorld, another_person

from adapters.discord.app import quiet_discord_logs
from bot.engine import TurnRecord, default_dialog_path
from bot.keys import conversation_key

PINGS = "@everyone @here <@&539082325061836999> <@53908232506183680>"


def test_refused_dms_carry_on_privately_in_the_server(world: DiscordWorld) -> None:
    world.fake.dm_closed.add(int(MASON["id"]))

    note, *shown = world.slash(where="server")

    assert note.data["content"].startswith("I couldn't send you a direct message")
    assert all(s.ephemeral and s.viewer == int(MASON["id"]) for s in [note, *shown])
    assert shown[-1].data["content"].endswith("Do any of these apply to you right now?")
    assert world.fake.public_in(SERVER_CHANNEL) == []
    # The conversation the refused DM would have held is not kept.
    server_key = conversation_key(
        "discord", payload("command_in_server")["guild_id"], SERVER_CHANNEL, MASON["id"]
    )
    assert list(world.engine.store.keys()) == [server_key]
    # The ephemeral buttons work like any others.
    question = shown[-1]
    (after,) = world.click(question, "None of these")
    assert world.fake.shown[question.id].data["content"].endswith("✅ None of these")
    assert after.ephemeral and after.data["content"] == "And do any of these apply?"


def test_nobody_else_sees_anything_of_a_check(world: DiscordWorld) -> None:
    neighbour = another_person(80351110224678912, "nelly")
    world.slash(where="server")
    world.click(world.newest_offering("None of these"), "None of these")
    world.type("none of these")

    assert world.fake.public_in(SERVER_CHANNEL) == []
    assert world.seen(neighbour) == []


def test_forget_in_a_dm_forgets_the_person_in_every_place(world: DiscordWorld) -> None:
    world.fake.dm_closed.add(int(MASON["id"]))
    world.slash(where="server")  # a check kept in the server, ephemerally
    world.fake.dm_closed.clear()
    world.type("hi")  # and one in the DM

    (done,) = world.type("forget")

    # Read from the dialog, so rewording the sentence never breaks this test; the count is the point.
    assert done.data["content"] == world.engine.dialog.messages["forgotten"].format(count=2)
    assert list(world.engine.store.keys()) == []


def test_nothing_sent_can_ping_anyone(make_world: Callable[..., DiscordWorld], tmp_path: Path) -> None:
    shipped = default_dialog_path().read_text(encoding="utf-8")
    assert "Hi, I'm kneebot." in shipped
    dialog = tmp_path / "pings.yaml"
    dialog.write_text(shipped.replace("Hi, I'm kneebot.", f"Hi {PINGS}, I'm kneebot."), encoding="utf-8")
    shutil.copytree(default_dialog_path().parent / "language", tmp_path / "language")  # named by the dialog
    world = make_world(dialog_path=dialog)

    world.type(f"{PINGS} my knee hurts")
    world.slash(where="server")
    world.click(world.newest_offering("None of these"), "None of these")
    world.fake.dm_closed.add(int(MASON["id"]))
    world.slash(where="server")

    sent = [
        call.body.get("data", call.body)
        for call in world.fake.calls
        if isinstance(call.body, dict) and ("content" in call.body.get("data", call.body))
    ]
    assert any(PINGS in (body.get("content") or "") for body in sent), "the pings were in what we sent"
    assert len(sent) >= 8  # every message, edit and note of the steps above
    assert all(body.get("allowed_mentions") == {"parse": []} for body in sent)
    assert world.client is not None and world.client.allowed_mentions is not None
    assert world.client.allowed_mentions.to_dict() == {"parse": []}


def test_bots_and_server_chatter_get_no_answer(world: DiscordWorld) -> None:
    turns: list[TurnRecord] = []
    world.engine.observers.append(turns.append)
    other_bot = another_person(159985870458322944, "helperbot")
    other_bot["bot"] = True

    assert world.type("hi there, human", author=other_bot) == []

    in_server = payload("message_in_dm")
    in_server.update(
        id=str(world.fake.new_id()),
        channel_id=str(SERVER_CHANNEL),
        guild_id=payload("command_in_server")["guild_id"],
        content="my knee hurts, @kneebot",
        member={"roles": [], "joined_at": "2017-03-13T19:19:14.040000+00:00", "deaf": False, "mute": False},
    )
    assert world.deliver("MESSAGE_CREATE", in_server, MASON) == []
    assert turns == []


def test_no_privileged_intent_is_requested(world: DiscordWorld) -> None:
    (identify,) = world.fake.identify_payloads
    guilds, members, presences, dm_messages, message_content = 1 << 0, 1 << 1, 1 << 8, 1 << 12, 1 << 15
    assert identify["intents"] == guilds | dm_messages
    assert not identify["intents"] & (members | presences | message_content)


def test_what_people_say_and_the_token_never_reach_the_logs(
    world: DiscordWorld, caplog: pytest.LogCaptureFixture, restore_logging: None
) -> None:
    secret = "my knee clicks since the Zanzibar marathon"
    caplog.set_level(logging.DEBUG)
    quiet_discord_logs()

    world.restart_bot()  # logging in and connecting again, with the logs on
    world.type(secret)
    world.click(world.newest_offering("None of these"), "None of these")
    world.slash(where="server")

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "\nturn" in logged and "synced 1 slash command" in logged  # logs did flow
    assert "Zanzibar" not in logged
    assert TOKEN not in logged
    assert not any(r.name.startswith("discord") and r.levelno < logging.INFO for r in caplog.records)
