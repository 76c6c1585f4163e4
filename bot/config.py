"""All settings in one place: environment variables, overridden by command-line flags.

Validated at start-up so a typo in a port or a missing token stops the bot with a sentence
saying which setting and what is expected, instead of failing on the first message. Each
command validates only the settings it uses (`uses`): a `PORT` meant for `kneebot slack` must
not stop `kneebot check`. A problem is reported by the name the person typed: the flag when
one was given (`--ttl-hours`), else the environment variable (`KNEEBOT_TTL_HOURS`).
Secrets are kept out of `repr` so a settings object can never leak a token into a log.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MIN_LOG_KEY_LENGTH = 16

ENV_NAMES: dict[str, str] = {
    "dialog_path": "KNEEBOT_DIALOG",
    "db_path": "KNEEBOT_DB",
    "redis_url": "REDIS_URL",
    "ttl_hours": "KNEEBOT_TTL_HOURS",
    "log_level": "LOG_LEVEL",
    "log_format": "LOG_FORMAT",
    "health_port": "HEALTH_PORT",
    "health_host": "HEALTH_HOST",
    "port": "PORT",
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_app_token": "SLACK_APP_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_api_url": "SLACK_API_URL",
    "slack_client_id": "SLACK_CLIENT_ID",
    "slack_client_secret": "SLACK_CLIENT_SECRET",
    "docs_url": "KNEEBOT_DOCS_URL",
    "discord_token": "DISCORD_TOKEN",
    "discord_guild_id": "DISCORD_GUILD_ID",
    "discord_shard_id": "DISCORD_SHARD_ID",
    "discord_shard_count": "DISCORD_SHARD_COUNT",
    "log_key": "KNEEBOT_LOG_KEY",
}
"""The environment variable behind each setting (`memory` has none: it is a flag only)."""


class ConfigError(Exception):
    """A setting that cannot work; the message names the setting and what is expected."""


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
    names: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)
    """The flag each setting given on the command line came from (`--ttl-hours`), so a problem
    is reported by what the person typed; settings not here came from the environment."""

    @property
    def ttl_seconds(self) -> float:
        return self.ttl_hours * 3600

    def name(self, setting: str) -> str:
        """How the person set `setting`: its flag if they gave one, else its variable."""
        return self.names.get(setting) or ENV_NAMES.get(setting) or setting

    def with_overrides(self, *, names: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Apply command-line flags; None means "not given" and keeps the environment's value.
        `names` maps a setting to the flag it came from, for messages. Validated (all of it)
        unless the caller validates what it uses itself (`validated(uses)`)."""
        return self.overridden(names=names, **overrides).validated()

    def overridden(self, *, names: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """`with_overrides` without the validation."""
        given = {k: v for k, v in overrides.items() if v is not None}
        flags = {k: (names or {}).get(k, f"--{k.replace('_', '-')}") for k in given}
        return replace(self, **given, names={**self.names, **flags})

    def validated(self, uses: Collection[str] | None = None) -> Settings:
        """Check the settings a command uses (None: all of them)."""

        def used(*settings: str) -> bool:
            return uses is None or any(s in uses for s in settings)

        if used("log_level") and self.log_level.upper() not in LOG_LEVELS:
            raise ConfigError(
                f"{self.name('log_level')} must be one of {', '.join(LOG_LEVELS)}, not {self.log_level!r}"
            )
        if used("log_format") and self.log_format not in ("text", "json"):
            raise ConfigError(f"{self.name('log_format')} must be text or json, not {self.log_format!r}")
        for setting in ("port", "health_port"):
            port = getattr(self, setting)
            if used(setting) and port is not None and not 0 <= port <= 65535:
                raise ConfigError(f"{self.name(setting)} must be a port number from 0 to 65535, not {port}")
        if used("discord_shard_id", "discord_shard_count"):
            self._check_shards()
        if used("ttl_hours") and self.ttl_hours <= 0:
            raise ConfigError(f"{self.name('ttl_hours')} must be above 0, not {self.ttl_hours:g}")
        if used("log_key") and self.log_key is not None and len(self.log_key) < MIN_LOG_KEY_LENGTH:
            raise ConfigError(
                f"{self.name('log_key')} must be at least {MIN_LOG_KEY_LENGTH} characters (a short one can "
                "be guessed); make one with: python -c 'import secrets; print(secrets.token_hex(32))'"
            )
        if (
            used("redis_url")
            and self.redis_url
            and not self.redis_url.startswith(("redis://", "rediss://", "unix://"))
        ):
            raise ConfigError(f"{self.name('redis_url')} must start with redis://, rediss:// or unix://")
        if used("slack_client_id", "slack_client_secret") and bool(self.slack_client_id) != bool(
            self.slack_client_secret
        ):
            raise ConfigError(
                f"set {self.name('slack_client_id')} and {self.name('slack_client_secret')} together, or neither"
            )
        if used("docs_url") and self.docs_url and not self.docs_url.startswith(("https://", "http://")):
            raise ConfigError(
                f"{self.name('docs_url')} must be a web address starting with https://, not {self.docs_url!r}"
            )
        return replace(self, log_level=self.log_level.upper())

    def _check_shards(self) -> None:
        shard, count = self.discord_shard_id, self.discord_shard_count
        if (shard is None) != (count is None):
            raise ConfigError(
                f"set {self.name('discord_shard_id')} and {self.name('discord_shard_count')} together, "
                "or neither"
            )
        if shard is not None and count is not None and not 0 <= shard < count:
            raise ConfigError(
                f"{self.name('discord_shard_id')} must be from 0 to {self.name('discord_shard_count')} - 1 "
                f"({count - 1}), not {shard}"
            )

    def require(self, *names: str) -> None:
        """Fail with one readable message listing every missing setting a command needs."""
        missing = [self.name(n) for n in names if not getattr(self, n)]
        if missing:
            raise ConfigError(
                f"missing {', '.join(missing)}: set {'it' if len(missing) == 1 else 'them'} in the "
                "environment (see deploy/.env.example)"
            )


SETTINGS = frozenset(f.name for f in fields(Settings)) - {"names"}
"""Every setting; a command's `uses` is a subset of these."""


def _number(kind: type) -> Callable[[str, str], Any]:
    def parse(name: str, raw: str) -> Any:
        try:
            return kind(raw)
        except ValueError:
            raise ConfigError(
                f"{name} must be a {'whole ' if kind is int else ''}number, not {raw!r}"
            ) from None

    return parse


def _text(name: str, raw: str) -> str:
    return raw


_PARSERS: dict[str, Callable[[str, str], Any]] = {
    "dialog_path": lambda name, raw: Path(raw),
    "db_path": lambda name, raw: Path(raw),
    "ttl_hours": _number(float),
    "log_format": lambda name, raw: raw.lower(),
    "health_port": _number(int),
    "port": _number(int),
    "discord_guild_id": _number(int),
    "discord_shard_id": _number(int),
    "discord_shard_count": _number(int),
}
"""How a variable's text becomes its setting; anything not listed is kept as text."""


def settings_from_env(
    env: Mapping[str, str] | None = None, *, uses: Collection[str] | None = None
) -> Settings:
    """The settings the environment gives, validated for the settings a command uses (None: all).
    A variable only another command reads is not even parsed, so its mistakes cannot stop this
    command; every variable is still read, so tooling can see which ones exist."""
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for setting, name in ENV_NAMES.items():
        raw = env.get(name, "").strip()
        if not raw or (uses is not None and setting not in uses):
            continue
        values[setting] = _PARSERS.get(setting, _text)(name, raw)
    return Settings(**values).validated(uses)
