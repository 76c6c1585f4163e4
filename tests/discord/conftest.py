"""Fixtures for the Discord adapter tests: the real client and engine on a SQLite file, talking
to a fake Discord on loopback (see discord_world.py and discord_fake.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from discord_world import DiscordWorld


@pytest.fixture
def world(tmp_path: Path) -> Iterator[DiscordWorld]:
    """A running bot; `world.fake` is Discord, `world.restart_bot()` restarts the process."""
    made = DiscordWorld(tmp_path / "kneebot.sqlite3")
    made.start_bot()
    yield made
    made.close()
    assert not made.fake.unexpected, (
        f"the bot called endpoints the fake does not know: {made.fake.unexpected}"
    )
