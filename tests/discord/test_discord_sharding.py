"""Several `kneebot discord` processes can share one token, one shard each."""

from __future__ import annotations

import pytest

from adapters.discord import KneeClient
from bot.config import ConfigError, settings_from_env
from bot.engine import Engine


def test_shard_settings_reach_the_discord_client_and_only_shard_zero_syncs(engine: Engine) -> None:
    settings = settings_from_env({"DISCORD_SHARD_ID": "1", "DISCORD_SHARD_COUNT": "3"})
    assert (settings.discord_shard_id, settings.discord_shard_count) == (1, 3)
    second = KneeClient(engine, shard_id=settings.discord_shard_id, shard_count=settings.discord_shard_count)
    assert (second.shard_id, second.shard_count) == (1, 3)
    assert not second.syncs_commands
    assert KneeClient(engine, shard_id=0, shard_count=3).syncs_commands
    assert KneeClient(engine).syncs_commands


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DISCORD_SHARD_ID": "0"}, "set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together"),
        ({"DISCORD_SHARD_ID": "3", "DISCORD_SHARD_COUNT": "3"}, "DISCORD_SHARD_ID must be from 0 to"),
        ({"DISCORD_SHARD_ID": "one", "DISCORD_SHARD_COUNT": "3"}, "DISCORD_SHARD_ID must be a whole number"),
    ],
)
def test_impossible_shard_settings_are_refused_with_a_reason(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env)
