"""Fixtures for the Discord adapter tests: the real client and engine on a SQLite file, talking
to a fake Discord on loopback (see discord_world.py and discord_fake.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from discord_world import DiscordWorld


@pytest.fixture
def make_world(tmp_path: Path) -> Iterator[Callable[..., DiscordWorld]]:
    """Worlds with a running bot (options as for DiscordWorld), closed after the test; each
    test also fails if the bot called an endpoint the fake does not know."""
    made: list[DiscordWorld] = []

    def make(*, start: bool = True, **options: Any) -> DiscordWorld:
        world = DiscordWorld(tmp_path / f"kneebot{len(made)}.sqlite3", **options)
        made.append(world)
        if start:
            world.start_bot()
        return world

    yield make
    for world in made:
        world.close()
    for world in made:
        assert not world.fake.unexpected, f"the bot called endpoints the fake lacks: {world.fake.unexpected}"


@pytest.fixture
def world(make_world: Callable[..., DiscordWorld]) -> DiscordWorld:
    """A running bot; `world.fake` is Discord, `world.restart_bot()` restarts the process."""
    return make_world()


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """Put back the levels and handlers that `kneebot discord` sets on the loggers."""
    root, library = logging.getLogger(), logging.getLogger("discord")
    saved = (root.handlers[:], root.level, library.level)
    yield
    root.handlers[:], _, _ = saved
    root.setLevel(saved[1])
    library.setLevel(saved[2])
