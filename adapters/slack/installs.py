"""Many workspaces: Slack's OAuth install flow, and where each workspace's installation is kept.

With `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` set, Bolt serves `/slack/install` (an "Add to
Slack" page) and `/slack/oauth_redirect` (where Slack sends the installer back, and Bolt trades
the code for the workspace's bot token with `oauth.v2.access`). Each request is then answered
with the token of the workspace it came from. Two things are stored, next to the conversations:

- installations (the bot token, bot ids and scopes per workspace): slack_sdk's
  `SQLite3InstallationStore` in the same SQLite file as the conversations, or, when the
  conversations are in Redis, `RedisInstallationStore` below, so every process sees every
  install (slack_sdk ships SQLAlchemy, SQLite, file and Amazon S3 stores, none on Redis);
- the OAuth `state` of installs in progress (checked once when the installer comes back):
  slack_sdk's `SQLite3OAuthStateStore`, or `RedisOAuthStateStore`.

Tokens are secrets at rest: the SQLite file is created owner-only, and Redis must be private.
slack_sdk's SQLite stores are synchronous, so they run in a worker thread here, never blocking
the event loop; nothing is cached in memory, so an uninstall or a reinstall seen by one process
holds for every process at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlite3 import SQLite3InstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.state_store.sqlite3 import SQLite3OAuthStateStore

log = logging.getLogger("slack_sdk.oauth.kneebot")
"""For slack_sdk's stores and Bolt's OAuth flow, which log every lookup at DEBUG: it sits under
`slack_sdk`, held at WARNING whatever LOG_LEVEL says, like the rest of that library."""

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_SECONDS = 10 * 60
"""How long an install may take between the "Add to Slack" page and Slack's redirect back."""
NONE = "none"
"""The id part for an absent enterprise or team (slack_sdk's own stores write it the same way)."""


def oauth_settings(
    *,
    client_id: str,
    client_secret: str,
    scopes: Sequence[str],
    redis_url: str | None,
    sqlite_path: Path,
) -> AsyncOAuthSettings:
    """Bolt's OAuth settings with the stores that match where the conversations live."""
    installations: AsyncInstallationStore
    states: AsyncOAuthStateStore
    if redis_url:
        installations = RedisInstallationStore(redis_url)
        states = RedisOAuthStateStore(redis_url, expiration_seconds=STATE_SECONDS)
    else:
        _create_private(sqlite_path)
        installations = ThreadedInstallationStore(
            SQLite3InstallationStore(database=str(sqlite_path), client_id=client_id, logger=log)
        )
        states = ThreadedStateStore(
            SQLite3OAuthStateStore(database=str(sqlite_path), expiration_seconds=STATE_SECONDS, logger=log)
        )
    return AsyncOAuthSettings(
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        installation_store=installations,
        installation_store_bot_only=True,
        state_store=states,
        state_expiration_seconds=STATE_SECONDS,
        logger=log,
    )


def _create_private(path: Path) -> None:
    """The file holds bot tokens: create it owner-only before SQLite does (as the conversation
    store does for its own file, which may be this one)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


# ----- slack_sdk's synchronous stores, off the event loop ----------------------------------------
class ThreadedInstallationStore(AsyncInstallationStore):
    """A synchronous slack_sdk installation store whose calls run in a worker thread."""

    def __init__(self, store: SQLite3InstallationStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return self.store.logger

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        return await asyncio.to_thread(
            self.store.find_bot,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            self.store.find_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
            is_enterprise_install=is_enterprise_install,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(self.store.delete_bot, enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            self.store.delete_installation, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )


class ThreadedStateStore(AsyncOAuthStateStore):
    """slack_sdk's synchronous SQLite state store, off the event loop."""

    def __init__(self, store: SQLite3OAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return self.store.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


# ----- Redis -------------------------------------------------------------------------------------
class RedisInstallationStore(AsyncInstallationStore):
    """Installations in Redis, shared by every kneebot process (slack_sdk's store interface).

    Layout, under `kneebot:slack:` by default, one JSON object per key (`__dict__` of
    slack_sdk's `Bot` and `Installation`, as its own file store writes them):
    `bot:<enterprise>:<team>`, `installation:<enterprise>:<team>` (the latest) and
    `installation:<enterprise>:<team>:<user>`. No expiry: an installation lasts until the
    workspace uninstalls kneebot or revokes its token.
    """

    def __init__(self, url: str, *, prefix: str = "kneebot:slack:") -> None:
        self.redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.prefix = prefix

    @property
    def logger(self) -> logging.Logger:
        return log

    def _where(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> str:
        team = NONE if is_enterprise_install else (team_id or NONE)
        return f"{enterprise_id or NONE}:{team}"

    async def async_save(self, installation: Installation) -> None:
        where = self._where(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        entity = json.dumps(installation.__dict__)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(f"{self.prefix}installation:{where}", entity)
            pipe.set(f"{self.prefix}installation:{where}:{installation.user_id}", entity)
            await pipe.execute()
        if installation.bot_token:
            await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        where = self._where(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        await self.redis.set(f"{self.prefix}bot:{where}", json.dumps(bot.__dict__))

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        raw = await self.redis.get(
            f"{self.prefix}bot:{self._where(enterprise_id, team_id, is_enterprise_install)}"
        )
        return Bot(**json.loads(raw)) if raw else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        name = f"{self.prefix}installation:{self._where(enterprise_id, team_id, is_enterprise_install)}"
        raw = await self.redis.get(f"{name}:{user_id}" if user_id else name)
        return Installation(**json.loads(raw)) if raw else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.redis.delete(f"{self.prefix}bot:{self._where(enterprise_id, team_id, False)}")

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        name = f"{self.prefix}installation:{self._where(enterprise_id, team_id, False)}"
        if user_id:
            await self.redis.delete(f"{name}:{user_id}")
            return
        doomed = [name, *[key async for key in self.redis.scan_iter(match=f"{_glob_escape(name)}:*")]]
        await self.redis.delete(*doomed)

    async def close(self) -> None:
        await self.redis.aclose()


class RedisOAuthStateStore(AsyncOAuthStateStore):
    """OAuth `state` values in Redis: issued with an expiry, consumed at most once (DEL is
    atomic, so two callbacks racing with one state cannot both succeed)."""

    def __init__(
        self, url: str, *, expiration_seconds: int, prefix: str = "kneebot:slack:oauth_state:"
    ) -> None:
        self.redis = aioredis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.expiration_seconds = expiration_seconds
        self.prefix = prefix

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = str(uuid.uuid4())
        await self.redis.set(self.prefix + state, b"1", ex=self.expiration_seconds)
        return state

    async def async_consume(self, state: str) -> bool:
        return bool(await self.redis.delete(self.prefix + state))

    async def close(self) -> None:
        await self.redis.aclose()


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)
