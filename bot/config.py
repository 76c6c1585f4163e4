"""All settings in one place: environment variables, overridden by command-line flags.

Validated once at start-up so a typo in a port or a missing token stops the bot with a
sentence saying which variable and what is expected, instead of failing on the first message.
Secrets are kept out of `repr` so a settings object can never leak a token into a log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_LOG_KEY_LENGTH = 16


class ConfigError(Exception):
    """A setting that cannot work; the message names the variable and what is expected."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    dialog_path: Path | None = None
    db_path: Path = Path("kneebot.sqlite3")
    redis_url: str | None = field(default=None, repr=False)
    memory: bool = False
    ttl_hours: float = 24.0
    log_level: str = "INFO"
    log_format: str = "text"
    health_port: int | None = None
    health_host: str = "127.0.0.1"
    """Where /healthz and /metrics listen: loopback unless asked (the image sets 0.0.0.0)."""
    port: int = 3000
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_api_url: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET: install kneebot into many workspaces through
    Slack's OAuth flow, instead of the one workspace of SLACK_BOT_TOKEN."""
    docs_url: str | None = None
    """KNEEBOT_DOCS_URL: where the Slack Home tab's link to how kneebot works (and what it keeps)
    points, say your copy of the README's Privacy section."""
    discord_token: str | None = field(default=None, repr=False)
    discord_guild_id: int | None = None
    discord_shard_id: int | None = None
    discord_shard_count: int | None = None
    log_key: str | None = field(default=None, repr=False)
    """KNEEBOT_LOG_KEY: the secret behind the conversation ids in logs. Unset: a random key per
    process, so ids only tie together the lines of one process run."""

    @property
    def ttl_seconds(self) -> float:
        return self.ttl_hours * 3600

    def with_overrides(self, **overrides: Any) -> Settings:
        """Apply command-line flags; None means "not given" and keeps the environment's value."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **given).validated()

    def validated(self) -> Settings:
        if self.log_level.upper() not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}")
        if self.log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT must be text or json, not {self.log_format!r}")
        for name, port in (("PORT", self.port), ("HEALTH_PORT", self.health_port)):
            if port is not None and not 0 <= port <= 65535:
                raise ConfigError(f"{name} must be a port number from 0 to 65535, not {port}")
        shard = (self.discord_shard_id, self.discord_shard_count)
        if (shard[0] is None) != (shard[1] is None):
            raise ConfigError("set DISCORD_SHARD_ID and DISCORD_SHARD_COUNT together, or neither")
        if shard[0] is not None and shard[1] is not None and not 0 <= shard[0] < shard[1]:
            raise ConfigError(
                f"DISCORD_SHARD_ID must be from 0 to DISCORD_SHARD_COUNT - 1 ({shard[1] - 1}), not {shard[0]}"
            )
        if self.ttl_hours <= 0:
            raise ConfigError(f"KNEEBOT_TTL_HOURS must be above 0, not {self.ttl_hours}")
        if self.log_key is not None and len(self.log_key) < MIN_LOG_KEY_LENGTH:
            raise ConfigError(
                f"KNEEBOT_LOG_KEY must be at least {MIN_LOG_KEY_LENGTH} characters (a short one can be "
                "guessed); make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("REDIS_URL must start with redis://, rediss:// or unix://")
        if bool(self.slack_client_id) != bool(self.slack_client_secret):
            raise ConfigError("set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET together, or neither")
        if self.docs_url and not self.docs_url.startswith(("https://", "http://")):
            raise ConfigError(
                f"KNEEBOT_DOCS_URL must be a web address starting with https://, not {self.docs_url!r}"
            )
        return replace(self, log_level=self.log_level.upper())

    def require(self, *names: str) -> None:
        """Fail with one readable message listing every missing setting a command needs."""
        missing = [n.upper() for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError(
                f"missing {', '.join(missing)}: set {'it' if len(missing) == 1 else 'them'} in the "
                "environment (see deploy/.env.example)"
            )


def _number(env: Mapping[str, str], name: str, kind: type, default: Any) -> Any:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}") from None


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env

    def text(name: str) -> str | None:
        return env.get(name, "").strip() or None

    dialog = text("KNEEBOT_DIALOG")
    return Settings(
        dialog_path=Path(dialog) if dialog else None,
        db_path=Path(text("KNEEBOT_DB") or "kneebot.sqlite3"),
        redis_url=text("REDIS_URL"),
        ttl_hours=_number(env, "KNEEBOT_TTL_HOURS", float, 24.0),
        log_level=text("LOG_LEVEL") or "INFO",
        log_format=(text("LOG_FORMAT") or "text").lower(),
        health_port=_number(env, "HEALTH_PORT", int, None),
        health_host=text("HEALTH_HOST") or "127.0.0.1",
        port=_number(env, "PORT", int, 3000),
        slack_bot_token=text("SLACK_BOT_TOKEN"),
        slack_app_token=text("SLACK_APP_TOKEN"),
        slack_signing_secret=text("SLACK_SIGNING_SECRET"),
        slack_api_url=text("SLACK_API_URL"),
        slack_client_id=text("SLACK_CLIENT_ID"),
        slack_client_secret=text("SLACK_CLIENT_SECRET"),
        docs_url=text("KNEEBOT_DOCS_URL"),
        discord_token=text("DISCORD_TOKEN"),
        discord_guild_id=_number(env, "DISCORD_GUILD_ID", int, None),
        discord_shard_id=_number(env, "DISCORD_SHARD_ID", int, None),
        discord_shard_count=_number(env, "DISCORD_SHARD_COUNT", int, None),
        log_key=text("KNEEBOT_LOG_KEY"),
    ).validated()
