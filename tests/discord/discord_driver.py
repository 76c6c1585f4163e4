"""The transcript `Driver` for Discord: every transcript replayed through the real adapter.

The person talks to the bot in their DM: `say` is a MESSAGE_CREATE, `click` a button
INTERACTION_CREATE carrying the message as Discord would. What the bot "said" is every new
message that person can see (DM messages and ephemeral ones), read back from the fake Discord:
the text and the embed's words, the buttons' labels, and for a result the outcome, read from
the embed alone (urgency from its colour, cause from the heading naming it). Edits of clicked
questions are not new messages, so they are not part of what was said.

A turn's short notes share one Discord message with the question after them, one paragraph
each (separated by a blank line), so such a message is read back as one Said per paragraph,
the buttons on the last, as the engine said them.

A stale click is a click on the oldest message that ever offered the label, as the person's
screen showed it then: on Discord a clicked question loses its buttons, so an old button is
clicked from another device, or twice before the edit arrives.

(Named discord_driver.py rather than driver.py: test folders are not packages, so helper
modules need names no other folder uses.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from discord_fake import Shown
from discord_world import MASON, DiscordWorld, buttons, menus
from discord_world import choices as offered

from adapters.discord.layout import URGENCY_COLOURS
from bot.transcripts.driver import Said

_URGENCY_BY_COLOUR = {colour: urgency for urgency, colour in URGENCY_COLOURS.items()}


def visible_text(data: dict[str, Any]) -> str:
    """A message's words as Discord shows them: its text, then each embed top to bottom."""
    lines = [data.get("content") or ""]
    for embed in data.get("embeds") or []:
        lines += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            lines += [field["name"].strip("\u200b"), field["value"]]
        lines.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(line for line in lines if line)


class DiscordDriver:
    """Implements `bot.transcripts.driver.Driver` over a running Discord adapter."""

    def __init__(self, db_path: Path, *, user: dict[str, Any] = MASON, locale: str | None = None) -> None:
        self.world = DiscordWorld(db_path)
        self.world.start_bot()
        self.user = user
        self.locale = locale
        if locale:
            self.world.speaks(locale, user)
        assert self.world.engine is not None
        self._cause_by_heading = {  # in every language the bot speaks
            cause.name[:1].upper() + cause.name[1:]: cause.id
            for dialogue in self.world.engine.languages.dialogues.values()
            for cause in dialogue.dialog.causes.values()
        }

    def said(self, shown: Shown) -> list[Said]:
        choices = offered(shown)
        if shown.data.get("embeds"):
            return [Said(text=visible_text(shown.data), choices=choices, outcome=self._outcome(shown.data))]
        *notes, last = (shown.data.get("content") or "").split("\n\n")
        return [*(Said(text=note) for note in notes), Said(text=last, choices=choices)]

    def _outcome(self, data: dict[str, Any]) -> tuple[str | None, str] | None:
        for embed in data.get("embeds") or []:
            urgency = _URGENCY_BY_COLOUR.get(embed.get("color"))
            if urgency is not None:
                headings = [field["name"] for field in embed.get("fields") or []]
                cause = next(  # the first heading naming a cause, its fit label after it
                    (
                        cause_id
                        for h in headings
                        for name, cause_id in self._cause_by_heading.items()
                        if h == name or h.startswith(f"{name} (")
                    ),
                    None,
                )
                return cause, urgency
        return None

    def say(self, text: str) -> list[Said]:
        return [said for shown in self.world.type(text, user=self.user) for said in self.said(shown)]

    def click(self, label: str, *, stale: bool = False) -> list[Said]:
        seen = self.world.seen(self.user)
        if (
            not stale
            and seen
            and label in {o["label"] for menu in menus(seen[-1]) for o in menu.get("options", [])}
        ):
            return self.pick((label,))  # one option of a menu, chosen alone
        if stale:
            for shown in seen:
                for version in shown.history:
                    if label in dict(buttons(version)):
                        return self._click(shown, label, version)
        else:
            for shown in reversed(seen):
                if label in dict(buttons(shown)):
                    return self._click(shown, label, None)
        raise LookupError(f"no button labelled {label!r} is on screen")

    def _click(self, shown: Shown, label: str, version: dict[str, Any] | None) -> list[Said]:
        shown_now = self.world.click(shown, label, user=self.user, as_seen=version, locale=self.locale)
        return [said for new in shown_now for said in self.said(new)]

    def pick(self, labels: tuple[str, ...]) -> list[Said]:
        for shown in reversed(self.world.seen(self.user)):
            if set(labels) <= {o["label"] for menu in menus(shown) for o in menu.get("options", [])}:
                return [
                    said for new in self.world.pick(shown, labels, user=self.user) for said in self.said(new)
                ]
        raise LookupError(f"no menu offers all of {list(labels)!r}")

    def restart_process(self) -> None:
        self.world.restart_bot()

    def close(self) -> None:
        self.world.close()
