"""Outside the DM: a mention in a channel or group DM, and /kneepain, both move the talk to a DM."""

from __future__ import annotations

from slack_fake_api import FakeSlack
from slack_harness import SlackPerson, ephemeral, posted, texts, visible_text

MOVED = "I've sent you a direct message so we can talk privately."


def test_a_channel_mention_gets_a_note_only_that_person_sees_and_the_conversation_moves_to_a_dm(
    person: SlackPerson,
) -> None:
    calls = person.mention(
        "<@U0KNEEBOT> my knee hurts after long runs", channel="C0RUNNING", ts="1700000100.000100"
    )

    assert posted(calls, "C0RUNNING") == [], "nothing in the channel for everyone"
    (note,) = ephemeral(calls, "C0RUNNING")
    assert note.args["user"] == person.user, "only the person who mentioned the bot sees it"
    assert "thread_ts" not in note.args, "right under the mention, where they are looking"
    assert MOVED in visible_text(note.blocks)
    assert [c.args["users"] for c in calls if c.method == "conversations.open"] == [person.user]
    in_dm = texts(posted(calls, person.dm))
    assert "I'm kneebot" in in_dm[0] and in_dm[-1] == "Do any of these apply to you right now?"


def test_the_conversation_started_by_a_mention_continues_in_the_dm(person: SlackPerson) -> None:
    person.mention("<@U0KNEEBOT> hi")
    calls = person.say("none of these")
    assert texts(posted(calls, person.dm))[-1] == "And do any of these apply?"


def test_a_mention_inside_a_thread_is_answered_in_that_thread(person: SlackPerson) -> None:
    body = person.mention_event("<@U0KNEEBOT> can you help?", channel="C0RUNNING")
    body["event"]["thread_ts"] = "1700000000.000050"
    start = len(person.fake.calls)
    person.rig.event(body)
    (note,) = ephemeral(person.fake.calls[start:], "C0RUNNING")
    assert note.args["thread_ts"] == "1700000000.000050" and note.args["user"] == person.user
    assert posted(person.fake.calls[start:], "C0RUNNING") == []


def test_a_group_dm_mention_is_handled_like_a_channel(person: SlackPerson) -> None:
    """Group DMs: the bot only hears mentions there (no message.mpim), and talks one-to-one."""
    calls = person.mention("<@U0KNEEBOT> knee question", channel="G0GROUPDM")
    assert posted(calls, "G0GROUPDM") == []
    (note,) = ephemeral(calls, "G0GROUPDM")
    assert note.args["user"] == person.user and MOVED in visible_text(note.blocks)
    assert posted(calls, person.dm), "the check itself is in the person's DM"


def test_when_no_dm_can_be_opened_the_person_is_told_privately(person: SlackPerson, fake: FakeSlack) -> None:
    fake.unreachable_users.add(person.user)
    try:
        calls = person.mention("<@U0KNEEBOT> hi")
    finally:
        fake.unreachable_users.discard(person.user)
    assert posted(calls) == []
    assert [visible_text(c.blocks) for c in ephemeral(calls) if c.args["user"] == person.user] == [
        "Sorry, I couldn't open a direct message with you. Please message me from the Apps section of the sidebar instead."
    ]


def test_slash_command_in_a_channel_answers_privately_and_starts_in_the_dm(person: SlackPerson) -> None:
    calls = person.slash(channel="C0RUNNING")

    notes = [c for c in calls if c.method == "response_url"]
    assert len(notes) == 1
    assert notes[0].args["response_type"] == "ephemeral"
    assert MOVED in notes[0].args["text"]
    assert not posted(calls, "C0RUNNING"), "nothing is posted in the channel for everyone"
    assert texts(posted(calls, person.dm))[-1] == "Do any of these apply to you right now?"


def test_slash_command_in_the_bots_dm_just_starts(person: SlackPerson) -> None:
    calls = person.slash(channel=person.dm, channel_name="directmessage")
    assert not [c for c in calls if c.method == "response_url"]
    assert "I'm kneebot" in texts(posted(calls, person.dm))[0]


def test_slash_command_picks_up_a_check_in_progress(person: SlackPerson) -> None:
    person.say("hi")
    person.say("none")
    calls = person.slash(channel=person.dm, channel_name="directmessage")
    assert texts(posted(calls, person.dm)) == [
        "Welcome back. Let's carry on where we left off.",
        "And do any of these apply?",
    ]


def test_slash_command_text_is_read_like_a_message(person: SlackPerson) -> None:
    calls = person.slash("help", channel=person.dm)
    assert texts(posted(calls, person.dm))[0].startswith(
        "I ask a few questions about the pain behind your knee"
    )
