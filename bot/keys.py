"""The one place a conversation key and a person reference are built.

A key names one conversation: platform, workspace or guild, channel or DM, user. A person
reference names the user across their conversations on one platform; `forget` deletes by it.
A place reference names one workspace or guild; every conversation key held there starts with
it (and a colon), which is how everything is deleted when the app is removed from that place.
Parts are sanitised so no platform id can break the `:`-separated form.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]")


def _part(value: str | int | None) -> str:
    text = "-" if value is None or value == "" else str(value)
    return _UNSAFE.sub("_", text)[:80]


def place_ref(platform: str, workspace: str | int | None) -> str:
    return ":".join((_part(platform), _part(workspace)))


def person_ref(platform: str, workspace: str | int | None, user: str | int) -> str:
    return ":".join((_part(platform), _part(workspace), _part(user)))


def conversation_key(
    platform: str, workspace: str | int | None, channel: str | int | None, user: str | int
) -> str:
    return ":".join((_part(platform), _part(workspace), _part(channel), _part(user)))
