"""The transcript runner: what passes, what fails, and how a failure reads to a maintainer."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.dialog import Dialog
from bot.engine import Engine
from bot.store import MemoryStore, SQLiteStore
from bot.transcripts.driver import EngineDriver, Said
from bot.transcripts.format import Transcript, load_transcript
from bot.transcripts.runner import (
    ReplayResult,
    TranscriptFailure,
    assert_replays,
    engine_driver_for,
    find_transcripts,
    replay,
)

SHIPPED = Path(__file__).resolve().parent / "transcripts"

SAFETY = "Do any of these apply to you right now?"


class Relaid:
    """Stands in for a platform adapter: the same engine, but each message laid out the
    platform's way (a prefix, paragraphs spaced out) and no structured result, only the
    (cause, urgency) outcome, as the Slack and Discord drivers report it."""

    def __init__(self, inner: EngineDriver, *, reports_outcome: bool = True) -> None:
        self.inner = inner
        self.reports_outcome = reports_outcome
        self.restarts = 0

    def _relay(self, said: list[Said]) -> list[Said]:
        return [
            Said(
                text="🦵 " + s.text.replace("\n", "\n\n"),
                choices=s.choices,
                outcome=s.outcome if self.reports_outcome else None,
            )
            for s in said
        ]

    def say(self, text: str) -> list[Said]:
        return self._relay(self.inner.say(text))

    def click(self, label: str, *, stale: bool = False) -> list[Said]:
        return self._relay(self.inner.click(label, stale=stale))

    def pick(self, labels: tuple[str, ...]) -> list[Said]:
        return self._relay(self.inner.pick(labels))

    def restart_process(self) -> None:
        self.restarts += 1
        self.inner.restart_process()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def driver(dialog: Dialog) -> Iterator[EngineDriver]:
    made = EngineDriver(engine=Engine(dialog, MemoryStore()))
    yield made
    made.close()


Write = Callable[..., Transcript]


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a transcript file (dedented) and load it."""

    def write(text: str, name: str = "case.yaml") -> Transcript:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return load_transcript(path)

    return write


def _failure(result: ReplayResult) -> list[str]:
    assert result.failure is not None, "the transcript should have failed"
    return result.failure.splitlines()


def test_a_wrong_fragment_shows_turn_words_and_a_diff_of_just_that_line(
    write: Write, driver: EngineDriver
) -> None:
    transcript = write(
        """
        turns:
          - user: "hi, I'm a runner"
            bot:
              - contains: "First, a quick safety check."
              - contains: "Do any of these apply to you now?"
        """
    )
    assert _failure(replay(transcript, driver)) == [
        f'{transcript.path}:2: turn 1 of 1: you say "hi, I\'m a runner"',
        "  expected message 2 of 2 (line 5) was not found after the messages already matched",
        "    --- expected",
        "    +++ bot said",
        "    @@ -4,4 +4,4 @@",
        "     ",
        "     First, a quick safety check.",
        "     ",
        "    -Do any of these apply to you now?",
        f"    +{SAFETY}",
    ]


def test_a_wrong_button_is_the_only_line_marked(write: Write, driver: EngineDriver) -> None:
    screen = driver.engine.dialog.questions["screen_urgent"]
    labels = [option.label for option in screen.options] + [screen.none_label, screen.unsure_label]
    right = labels[1]
    wrong = right.rsplit(" ", 2)[0]  # the label cut short by two words
    labels[1] = wrong
    transcript = write(
        f"""
        turns:
          - user: "hi"
          - user: "none"
            bot:
              - text: {json.dumps(screen.text)}
                choices: {json.dumps(labels)}
        """
    )
    lines = _failure(replay(transcript, driver))
    assert lines[0] == f'{transcript.path}:3: turn 2 of 2: you say "none"'
    changed = [line.strip() for line in lines if line.startswith(("    -", "    +")) and line[5:7] != "--"]
    changed = [line for line in changed if not line.startswith(("---", "+++"))]
    assert changed == [f"-  [{wrong}]", f"+  [{right}]"]


def test_long_user_text_and_control_characters_are_shown_on_one_readable_line(
    write: Write, driver: EngineDriver
) -> None:
    transcript = write(
        """
        turns:
          - user: "\\e[31m%s"
            bot: ["something the bot never says"]
        """
        % ("knee " * 40)
    )
    head = _failure(replay(transcript, driver))[0]
    assert head.startswith(f'{transcript.path}:2: turn 1 of 1: you say "\\x1b[31mknee knee')
    assert head.endswith('"… (205 characters)')


def test_expected_messages_match_in_order_and_unchecked_ones_may_come_between(
    write: Write, driver: EngineDriver
) -> None:
    in_order = write('turns: [{user: "hi", bot: ["I am not a doctor", "' + SAFETY + '"]}]\n', "ordered.yaml")
    assert replay(in_order, driver).ok, "the safety intro between the two is simply not checked"
    swapped = write('turns: [{user: "hi", bot: ["' + SAFETY + '", "I am not a doctor"]}]\n', "swapped.yaml")
    lines = _failure(replay(swapped, EngineDriver(engine=Engine(driver.engine.dialog, MemoryStore()))))
    assert lines[1] == "  expected message 2 of 2 (line 1) was not found after the messages already matched"


def test_any_finds_a_message_anywhere_in_the_turn(write: Write, driver: EngineDriver) -> None:
    transcript = write('turns: [{user: "hi", any: ["' + SAFETY + '", "I am not a doctor"]}]\n')
    assert replay(transcript, driver).ok


def test_any_that_is_missing_says_so(write: Write, driver: EngineDriver) -> None:
    transcript = write('turns: [{user: "hi", any: [{matches: "EMERGENCY|URGENT"}]}]\n')
    lines = _failure(replay(transcript, driver))
    assert lines[1] == "  the message expected anywhere in the turn (line 1) was not found"
    assert "    -/EMERGENCY|URGENT/" in lines


def test_not_fails_on_a_message_the_bot_must_not_send_and_shows_it(
    write: Write, driver: EngineDriver
) -> None:
    transcript = write(
        """
        turns:
          - user: "hi"
          - user: "I have chest pain"
            not: ["EMERGENCY"]
        """
    )
    lines = _failure(replay(transcript, driver))
    assert lines[:2] == [
        f'{transcript.path}:3: turn 2 of 2: you say "I have chest pain"',
        "  the bot said what it must not (line 4: … EMERGENCY …)",
    ]
    assert "    +EMERGENCY: call your local emergency number (999, 911, 112) now." in lines
    assert not [line for line in lines if line.startswith("    -") and not line.startswith("    ---")]


def test_an_empty_bot_list_means_the_bot_must_say_nothing(write: Write, driver: EngineDriver) -> None:
    transcript = write('turns: [{user: "help", bot: []}]\n')
    lines = _failure(replay(transcript, driver))
    assert lines[1] == "  expected the bot to say nothing"
    assert "    +  [Start a new check]" in lines


def test_a_wrong_outcome_names_both_results(write: Write, driver: EngineDriver) -> None:
    transcript = write(
        """
        turns:
          - user: "my calf is swollen"
        outcome: {cause: null, urgency: emergency, red_flag: calf_clot}
        """
    )
    assert _failure(replay(transcript, driver)) == [
        f"{transcript.path}:3: after the last turn",
        "  expected the result {cause: null, urgency: emergency, red_flag: calf_clot}, "
        "got {cause: null, urgency: urgent, red_flag: calf_clot}",
    ]


def test_outcome_none_means_no_result_and_a_result_must_have_been_shown(write: Write, dialog: Dialog) -> None:
    flagged = write('turns: [{user: "my knee is locked"}]\noutcome: none\n', "flagged.yaml")
    lines = _failure(replay(flagged, EngineDriver(engine=Engine(dialog, MemoryStore()))))
    assert lines[1] == "  expected no result, got {cause: null, urgency: urgent, red_flag: locked_knee}"
    quiet = write('turns: [{user: "hi"}]\noutcome: {cause: bakers_cyst, urgency: soon}\n', "quiet.yaml")
    lines = _failure(replay(quiet, EngineDriver(engine=Engine(dialog, MemoryStore()))))
    assert (
        lines[1] == "  expected the result {cause: bakers_cyst, urgency: soon}, but the bot showed no result"
    )


def test_a_turn_outcome_checks_the_result_of_that_turn(write: Write, driver: EngineDriver) -> None:
    transcript = write(
        """
        turns:
          - user: "my foot is numb"
            outcome: {cause: null, urgency: emergency, red_flag: blood_supply}
          - click: "Start a new check"
            outcome: {cause: null, urgency: emergency}
        """
    )
    lines = _failure(replay(transcript, driver))
    assert lines == [
        f'{transcript.path}:4: turn 2 of 2: you click "Start a new check"',
        "  (line 5) expected the result {cause: null, urgency: emergency}, but the bot showed no result",
    ]


def test_clicking_a_button_never_offered_suggests_the_nearest_one(write: Write, driver: EngineDriver) -> None:
    transcript = write('turns: [{user: "hi"}, {click: "Non of these"}]\n')
    lines = _failure(replay(transcript, driver))
    assert lines[0] == f'{transcript.path}:1: turn 2 of 2: you click "Non of these"'
    assert lines[1].startswith(
        "  no button labelled 'Non of these' was offered; did you mean 'None of these'?"
    )
    assert "(latest buttons: Short of breath, chest pain or coughing blood | " in lines[1]


def test_the_first_failing_turn_stops_the_replay(write: Write, dialog: Dialog) -> None:
    transcript = write(
        """
        turns:
          - user: "hi"
          - click: "None of these"
          - click: "None of these"
          - user: "running"
            bot: ["How did it start?"]
          - user: "this turn is never played"
        """
    )
    relaid = Relaid(EngineDriver(engine=Engine(dialog, MemoryStore())))
    result = replay(transcript, relaid, strict_text=False)
    assert (result.ok, result.turns_played) == (False, 4)


def test_adapter_runs_compare_exact_text_as_whitespace_normalised_containment(
    write: Write, dialog: Dialog
) -> None:
    transcript = write(
        """
        turns:
          - user: "hi"
            bot:
              - text: "Do any of these apply to you right now?"
          - user: "my calf is swollen"
            bot:
              - text: |-
                  URGENT: get seen by a doctor today (your own doctor, an urgent care centre, or your local urgent advice line such as NHS 111).

                  A swollen, red, warm or throbbing calf can be a blood clot (DVT), or a burst cyst that needs checking.
        """
    )
    platform = Relaid(EngineDriver(engine=Engine(dialog, MemoryStore())))
    assert replay(transcript, platform, strict_text=False).ok
    platform = Relaid(EngineDriver(engine=Engine(dialog, MemoryStore())))
    lines = _failure(replay(transcript, platform))
    assert lines[1] == "  expected message 1 of 1 (line 4) was not found in what the bot said"


def test_adapter_outcomes_come_from_said_outcome_and_unreported_details_are_not_held_against_them(
    write: Write, dialog: Dialog
) -> None:
    right = write(
        'turns: [{user: "my calf is swollen"}]\noutcome: {cause: null, urgency: urgent, red_flag: calf_clot}\n',
        "r.yaml",
    )
    wrong = write('turns: [{user: "my calf is swollen"}]\noutcome: {cause: null, urgency: soon}\n', "w.yaml")
    platform = Relaid(EngineDriver(engine=Engine(dialog, MemoryStore())))
    assert replay(right, platform, strict_text=False).ok, "a platform without the red flag id still passes"
    platform = Relaid(EngineDriver(engine=Engine(dialog, MemoryStore())))
    assert not replay(wrong, platform, strict_text=False).ok, "but its urgency is checked"
    silent = Relaid(EngineDriver(engine=Engine(dialog, MemoryStore())), reports_outcome=False)
    assert replay(wrong, silent, strict_text=False).ok, "a driver that reports no outcome is not checked"


def test_assert_replays_raises_the_readable_report(write: Write, driver: EngineDriver) -> None:
    transcript = write('turns: [{user: "hi", bot: ["Goodbye"]}]\n')
    with pytest.raises(TranscriptFailure) as caught:
        assert_replays(transcript, driver)
    assert str(caught.value).startswith(f'{transcript.path}:1: turn 1 of 1: you say "hi"')


def test_a_process_restart_turn_restarts_the_driver_and_the_store_keeps_the_conversation(
    dialog: Dialog, tmp_path: Path, write: Write
) -> None:
    """Restarts between answers, even two in a row: the check carries on where it was (no new
    greeting), a button drawn before a restart still answers after it, and the result comes."""
    first, second, location, long_runs = (
        dialog.questions[q] for q in ("screen_emergency", "screen_urgent", "location", "long_runs")
    )
    behind = next(v.label for v in dialog.facts["location"].values if v.value == "behind")
    names = [dialog.causes[c].name for c in ("hamstring_tendonitis", "gastrocnemius_tendonitis")]
    transcript = write(
        f"""
        turns:
          - user: "I'm a runner"
          - click: "{first.none_label}"
          - restart: true
          - click: "{second.none_label}"
            bot: [{{contains: {json.dumps(location.text)}}}]
            not: [{json.dumps(dialog.messages["greeting"][:40])}, {json.dumps(dialog.messages["restarted"])}]
          - click: "{behind}"
          - restart: true
          - restart: true
          - user: "1 and 5"
            bot: [{{contains: {json.dumps(long_runs.text)}}}]
          - restart: true
          - user: "yes"
            bot: [{{contains: {json.dumps(dialog.labels["two_causes"].format(first=names[0], second=names[1]))}}}]
        outcome: {{cause: hamstring_tendonitis, causes: [hamstring_tendonitis, gastrocnemius_tendonitis], urgency: soon}}
        """,
        "restarts.yaml",
    )
    platform = Relaid(EngineDriver(engine=Engine(dialog, SQLiteStore(tmp_path / "kb.sqlite3"))))
    result = replay(transcript, platform, strict_text=False)
    platform.close()
    assert result.ok, result.failure
    assert platform.restarts == sum(turn.action == "restart" for turn in transcript.turns) == 4


def test_every_shipped_transcript_also_passes_as_an_adapter_run(dialog: Dialog) -> None:
    """What the Slack and Discord suites do with their drivers: the same files, laid out another way."""
    paths = find_transcripts([SHIPPED])
    assert len(paths) >= 30
    failures = []
    for path in paths:
        transcript = load_transcript(path)
        platform = Relaid(engine_driver_for(transcript, dialog))
        result = replay(transcript, platform, strict_text=False)
        if result.failure:
            failures.append(result.failure)
    assert not failures, "\n\n".join(failures)


def test_find_transcripts_expands_folders_and_keeps_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/two.yaml", "a/one.yml", "a/notes.txt", "three.yaml"):
        (tmp_path / name).write_text("turns: [{user: hi}]\n")
    assert find_transcripts([tmp_path / "a", tmp_path / "three.yaml"]) == [
        tmp_path / "a/one.yml",
        tmp_path / "a/two.yaml",
        tmp_path / "three.yaml",
    ]
