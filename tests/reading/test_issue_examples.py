"""The failures the reader was rebuilt for, as phrase tables, in every position a message can
arrive: as the first message, at the second safety screen, and mid-dialog.

Each row is what a person might type and what kneebot must do with it: escalate at a warning
sign's urgency, ask that sign's one confirming question, or carry on without any alarm."""

from __future__ import annotations

import pytest
from corpus_driver import POSITIONS, at, outcome, position, say

from bot.dialog import Dialog
from bot.turn import Dialogue

ESCALATE = [
    # stated plainly, now
    ("my calf is swollen and hot", "urgent"),
    ("no chest pain, my calf is swollen", "urgent"),
    ("no the calf is swollen", "urgent"),
    ("I can't put weight on it", "emergency"),
    ("No, I can't put weight on it", "emergency"),
    ("I can barely walk", "emergency"),
    ("can't stand on it since the tackle", "emergency"),
    ("been hopping everywhere since I fell", "emergency"),
    ("the knee is a strange shape after I landed", "emergency"),
    ("my foot is numb", "emergency"),
    ("i cant feel my toes", "emergency"),
    ("I feel rotten and my knee is hot and swollen", "urgent"),
    ("burning up, knee red and swollen", "urgent"),
    ("my knee's jammed and won't straighten", "urgent"),
    ("it's stuck bent and I can't straighten it", "urgent"),
    # breathlessness with a swollen leg is an emergency, not the calf's "urgent"
    ("my calf is swollen and I'm short of breath", "emergency"),
    ("calf swollen, and now I get out of breath on the stairs", "emergency"),
    ("there's a lump behind my knee that pulses with my heartbeat", "urgent"),
    ("twisted it and within an hour the knee had blown up", "urgent"),
    # asking for someone in their care
    ("asking for my son, he fell and can't stand on his leg", "emergency"),
]

CONFIRM = [
    ("should I be worried about a clot?", "calf_clot"),
    ("what if my toes go numb on a long ride?", "blood_supply"),
    ("I think my foot is a bit numb", "blood_supply"),
    ("my foot went numb last night", "blood_supply"),
    ("I had a DVT years ago", "calf_clot"),
    ("sometimes my knee locks for a second", "locked_knee"),
    ("my foot goes numb", "blood_supply"),
    ("is it bad that my foot goes numb?", "blood_supply"),
    ("it swelled up after I twisted it", "rapid_swelling"),
]

HARMLESS = [
    "cheers, my knee hurts less today",
    "my knee looked fine",
    "I cooled down and my toes felt ok",
    "my mum had a clot after her knee operation",
    "my leg went numb on the train but woke up straight away",
    "this hill is killing me",
    "my legs are dead after the race",
    "I breathe hard on the climbs like everyone",
    "my calf is tight after the hill session",
    "no swelling, no numbness, no fever, just pain behind the knee",
    "I can't stand hills, honestly",
    "stuck in traffic on the way to parkrun",
]


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize(("text", "urgency"), ESCALATE)
def test_a_warning_sign_stated_plainly_escalates_at_its_urgency(
    dialogue: Dialogue, text: str, urgency: str, where: str
) -> None:
    assert outcome(dialogue.dialog, say(dialogue, position(dialogue, where), text)) == ("escalate", urgency)


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize(("text", "sign"), CONFIRM)
def test_a_doubtful_mention_gets_one_confirming_question(
    dialogue: Dialogue, text: str, sign: str, where: str
) -> None:
    assert outcome(dialogue.dialog, say(dialogue, position(dialogue, where), text)) == ("confirm", sign)


@pytest.mark.parametrize("where", POSITIONS)
@pytest.mark.parametrize("text", HARMLESS)
def test_an_ordinary_message_raises_no_alarm_and_no_question(
    dialogue: Dialogue, text: str, where: str
) -> None:
    assert outcome(dialogue.dialog, say(dialogue, position(dialogue, where), text)) == ("carry_on", None)


def test_yes_or_not_sure_to_the_confirming_question_escalates_saying_how_it_was_established(
    dialogue: Dialogue, dialog: Dialog
) -> None:
    flag = dialog.red_flags["blood_supply"]
    asked = say(dialogue, None, "I think my foot is a bit numb").conversation
    unsure = say(dialogue, asked, "sometimes")
    assert unsure.result is not None and unsure.result.reasons == (flag.reasons["unsure"],)
    confirmed = say(dialogue, asked, "yes")
    assert confirmed.result is not None and confirmed.result.reasons == (flag.reasons["confirmed"],)
    mentioned = say(dialogue, None, "my foot is numb")
    assert mentioned.result is not None and mentioned.result.reasons == (flag.reasons["mentioned"],)
    assert all(r.result.urgency == "emergency" for r in (unsure, confirmed, mentioned) if r.result)


def test_no_to_the_confirming_question_carries_on_and_never_asks_it_again(dialogue: Dialogue) -> None:
    asked = say(dialogue, None, "I think my foot is a bit numb").conversation
    carried = say(dialogue, asked, "no")
    assert carried.result is None and carried.conversation is not None
    assert carried.conversation.answers["blood_supply"] == "dismissed"
    again = say(dialogue, carried.conversation, "my foot feels a bit numb sometimes")
    assert outcome(dialogue.dialog, again) == ("carry_on", None)


@pytest.mark.parametrize(
    "text",
    [
        "none of that",
        "non of these",
        "nope none of those",
        "none of the above thanks",
        "nothing like that, it just aches",
        "none, but it hurts going downstairs",
        "no to all",
        "all good",
    ],
)
def test_none_of_these_in_its_everyday_forms(dialogue: Dialogue, dialog: Dialog, text: str) -> None:
    screen = dialog.questions["screen_emergency"]
    turn = say(dialogue, at(dialogue, screen.id), text)
    assert turn.conversation is not None
    assert {o.fact: turn.conversation.answers.get(o.fact) for o in screen.options} == dict.fromkeys(
        screen.facts, "no"
    )


def test_a_hedge_inside_a_description_is_not_not_sure_to_a_screen(dialogue: Dialogue, dialog: Dialog) -> None:
    turn = say(dialogue, at(dialogue, "screen_emergency"), "a lump, kind of like a water balloon")
    assert turn.conversation is not None
    assert turn.conversation.state == "screen_emergency"  # asked again, nothing taken as "not sure"
    assert turn.conversation.answers.get("lump") == "yes"
    assert all(turn.conversation.answers.get(s) is None for s in dialog.questions["screen_emergency"].facts)
    assert any(r.name == "noted_first" for r in turn.replies)


def test_an_answer_with_a_second_clause_keeps_both(dialogue: Dialogue) -> None:
    turn = say(dialogue, at(dialogue, "swelling"), "no, but it gets worse on hills")
    assert turn.conversation is not None
    assert turn.conversation.answers["swelling"] == "no"
    assert turn.conversation.answers["hills"] == "yes"


def test_facts_given_in_the_opening_are_never_asked(dialogue: Dialogue) -> None:
    turn = say(
        dialogue, None, "I'm training for a marathon and I'm stiff at the start of every run, behind the knee"
    )
    assert turn.conversation is not None
    facts = turn.conversation.answers
    assert (facts["long_runs"], facts["start_stiffness"], facts["location"]) == ("yes", "yes", "behind")
    assert any(r.name == "noted_first" for r in turn.replies)  # said back before the first question


def test_a_denial_reaches_past_a_comma_only_into_a_list_it_closes(dialogue: Dialogue) -> None:
    """The "or" of "bend or straighten" closes no list the cycling after the comma is in."""
    turn = say(dialogue, None, "it doesn't hurt to bend or straighten, I cycle a lot")
    assert turn.conversation is not None
    assert turn.conversation.answers["activity"] == "cycling"
    assert turn.conversation.answers["bend_straighten"] == "no"


def test_a_cyclist_who_said_it_hurts_on_climbs_is_not_asked_about_climbing(dialogue: Dialogue) -> None:
    turn = say(dialogue, None, "I'm a cyclist and it hurts on the climbs")
    assert turn.conversation is not None
    assert turn.conversation.answers["hills"] == "yes"
    assert turn.conversation.answers["activity"] == "cycling"


def test_a_phrase_that_says_no_outright_is_not_sure_when_doubted(dialogue: Dialogue) -> None:
    """ "My saddle height is right" says no bike-fit problem; "not sure if..." leaves it open."""
    plain = say(dialogue, None, "my saddle height is right").conversation
    doubted = say(dialogue, None, "not sure if my saddle height is right").conversation
    assert plain is not None and doubted is not None
    assert (plain.answers["bike_fit"], doubted.answers["bike_fit"]) == ("no", "unsure")
