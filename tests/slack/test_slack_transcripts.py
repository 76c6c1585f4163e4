"""Every transcript under tests/transcripts/, replayed through the real Slack adapter.

The same files the engine replays (bot/transcripts): here each turn is a signed Slack event or
button click, and what the bot said is read back from the fake Slack. Exact texts are compared
as whitespace-normalised containment, since Slack lays messages out in blocks.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_driver import SlackDriver
from slack_fake_api import FakeSlack
from slack_harness import LoopThread

from bot.dialog import Dialog
from bot.engine import Engine, default_dialog_path
from bot.languages import load_translations
from bot.store import MemoryStore
from bot.transcripts.format import load_transcript
from bot.transcripts.runner import TranscriptFailure, check_ids, find_transcripts, replay

TRANSCRIPTS = find_transcripts([Path(__file__).parents[1] / "transcripts"])
"""Every shipped transcript, the Spanish ones (tests/transcripts/es/) included."""


def test_there_are_transcripts_to_replay() -> None:
    assert len(TRANSCRIPTS) >= 10, "tests/transcripts/ should hold the shared conversation transcripts"


@pytest.fixture
def make_driver(loop_thread: LoopThread, fake: FakeSlack, slack_dialog: Dialog) -> Iterator[object]:
    made: list[SlackDriver] = []

    def make(index: int, locale: str | None = None) -> SlackDriver:
        user = f"U0TR{index:05d}"
        if locale:  # what users.info reports as the person's Slack language
            fake.locales[user] = locale
        engine = Engine(slack_dialog, MemoryStore(), translations=load_translations(default_dialog_path()))
        driver = SlackDriver(loop=loop_thread, fake=fake, engine=engine, user=user)
        made.append(driver)
        return driver

    yield make
    for driver in made:
        driver.close()


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript_replays_through_slack(path: Path, make_driver: object, slack_dialog: Dialog) -> None:
    transcript = load_transcript(path)
    check_ids(transcript, slack_dialog)
    driver = make_driver(TRANSCRIPTS.index(path), transcript.locale)  # type: ignore[operator]
    result = replay(transcript, driver, strict_text=False)
    if result.failure is not None:
        raise TranscriptFailure(result.failure)
