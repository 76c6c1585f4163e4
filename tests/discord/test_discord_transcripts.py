"""Every transcript under tests/transcripts/, replayed through the real Discord adapter.

The same files check the engine (the pytest plugin) and Slack; here each person talks to the
bot in their Discord DM, with typed messages and real button interactions, on a SQLite file so
`restart: true` is a real new client and engine. Exact texts compare as whitespace-normalised
containment, because Discord shows a result as an embed rather than as one block of text.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from discord_driver import DiscordDriver

from bot.transcripts.format import load_transcript
from bot.transcripts.runner import assert_replays, find_transcripts

TRANSCRIPTS = Path(__file__).parents[1] / "transcripts"


@pytest.mark.parametrize("path", find_transcripts([TRANSCRIPTS]), ids=lambda p: p.stem)
def test_transcript_replays_on_discord(path: Path, tmp_path: Path) -> None:
    transcript = load_transcript(path)
    driver = DiscordDriver(tmp_path / "kneebot.sqlite3", locale=transcript.locale)
    try:
        assert_replays(transcript, driver, strict_text=False)
    finally:
        driver.close()
