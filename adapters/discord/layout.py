"""How a `Reply` looks on Discord: message text, a result embed, and buttons that survive restarts.

Pure translation, no I/O. Every word comes from the reply (and so from the dialog file); this
module only arranges it within Discord's limits, which are hard errors rather than truncation
on Discord's side: 2000 characters of message text, 256 of embed title, 1024 per field value,
25 fields and 6000 characters across a message's embeds, 25 buttons of 80-character labels,
100-character custom ids.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from typing import Any

import discord

from bot.messages import Choice, Reply, Result
from bot.render import Section, choices_text, sections
from bot.replies import picks_token

log = logging.getLogger(__name__)

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000
BUTTON_LABEL_LIMIT = 80
BUTTONS_PER_MESSAGE = 25
CUSTOM_ID_LIMIT = 100

CUSTOM_ID_PREFIX = "kb:"
"""Marks our buttons among any other app's; the rest of the custom id is `Choice.token` as is."""
PICKS_ID_PREFIX = "kbm:"
"""Marks our multi-select menus; the rest is the token of the menu's first option."""
SELECT_OPTION_LIMIT = 100
"""Characters of a select option's label and of its value."""
OPTIONS_PER_SELECT = 25

URGENCY_COLOURS: dict[str, int] = {
    "emergency": discord.Colour.red().value,
    "urgent": discord.Colour.orange().value,
    "soon": discord.Colour.blurple().value,
}
"""One colour per urgency, so an emergency is red at a glance (and tests can read urgency back)."""

_BLANK_NAME = "\u200b"
"""A field needs a name: a section without a heading, or a section continued in a further
field so it reads as one block, gets an invisible one."""

_OUTSIDE_FIELDS = frozenset({"urgency", "title", "reminder"})
"""Sections shown around the embed's fields: the message text, the embed's title, its footer."""

NO_MENTIONS = discord.AllowedMentions.none()
"""Passed on every send and edit (and set on the client): text we send can never ping anyone."""


class ChoiceButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.compile(re.escape(CUSTOM_ID_PREFIX) + r"(?P<token>.+)", re.DOTALL),
):
    """A choice button routed by its custom id alone, so a click on a message sent before a
    restart still reaches the conversation: discord.py rebuilds the item from the id on every
    click; nothing is kept in memory per message."""

    def __init__(self, token: str, label: str) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:BUTTON_LABEL_LIMIT],
                custom_id=CUSTOM_ID_PREFIX + token,
                style=discord.ButtonStyle.secondary,
            )
        )
        self.token = token

    @property
    def label(self) -> str:
        return self.item.label or ""

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ChoiceButton:
        return cls(match["token"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.turns.click(interaction, self.token, self.label)  # type: ignore[attr-defined]


class PicksSelect(
    discord.ui.DynamicItem[discord.ui.Select[Any]],
    template=re.compile(re.escape(PICKS_ID_PREFIX) + r".+", re.DOTALL),
):
    """A multi-select question's options as one menu: whatever is chosen is sent as one answer
    when the menu closes. Each option's value is its answer token, so, like the buttons, the
    menu needs nothing kept in memory and still works after a restart."""

    def __init__(self, custom_id: str, options: list[discord.SelectOption], placeholder: str) -> None:
        super().__init__(
            discord.ui.Select(
                custom_id=custom_id,
                placeholder=placeholder[:SELECT_OPTION_LIMIT] or None,
                min_values=1,
                max_values=len(options),
                options=options,
            )
        )

    @classmethod
    def of(cls, choices: tuple[Choice, ...], placeholder: str) -> PicksSelect:
        options = [
            discord.SelectOption(label=c.label[:SELECT_OPTION_LIMIT], value=c.token)
            for c in choices[:OPTIONS_PER_SELECT]
        ]
        return cls(PICKS_ID_PREFIX + choices[0].token, options, placeholder)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PicksSelect:
        options = list(getattr(item, "options", []))
        return cls(match.string, options, getattr(item, "placeholder", None) or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        chosen = [str(value) for value in self.item.values]
        labels = {option.value: option.label for option in self.item.options}
        try:
            token = picks_token(chosen)
        except ValueError:  # not options we drew for one question: a stale answer
            token = ""
        label = ", ".join(labels.get(value, "") for value in chosen)
        await interaction.client.turns.click(interaction, token, label)  # type: ignore[attr-defined]


def fits_custom_id(token: str) -> bool:
    return len(CUSTOM_ID_PREFIX) + len(token) <= CUSTOM_ID_LIMIT


def fits_custom_id_of_menu(choices: tuple[Choice, ...]) -> bool:
    return len(PICKS_ID_PREFIX) + len(choices[0].token) <= CUSTOM_ID_LIMIT


@dataclass(frozen=True, kw_only=True)
class Outgoing:
    """One Discord message to send: text, at most one embed, and buttons; `replies` are the
    engine replies it carries, for counting one that cannot be delivered."""

    content: str = ""
    embed: discord.Embed | None = None
    choices: tuple[Choice, ...] = ()
    replies: tuple[Reply, ...] = ()
    picks: tuple[Choice, ...] = ()
    """A multi-select question's options, offered as one menu above the `choices` buttons."""
    picks_prompt: str = ""

    def plain(self) -> list[str]:
        """The same message as plain text, no embed and no buttons (the answers numbered, so
        typing the number still answers): what is sent when Discord refuses the message."""
        parts = [self.content]
        if self.embed is not None:
            embed = self.embed
            parts += [embed.title or "", embed.description or ""]
            parts += [f"{f.name}\n{f.value}".strip(_BLANK_NAME + "\n") for f in embed.fields]
            parts.append(embed.footer.text or "")
        if self.choices:
            parts.append(choices_text((*self.picks, *self.choices)))
        return split_text("\n\n".join(part for part in parts if part), CONTENT_LIMIT)

    def view(self) -> discord.ui.View | None:
        if not self.choices:
            return None
        view = discord.ui.View(timeout=None)
        if (
            self.picks
            and all(len(c.token) <= SELECT_OPTION_LIMIT for c in self.picks)
            and fits_custom_id_of_menu(self.picks)
        ):
            view.add_item(PicksSelect.of(self.picks, self.picks_prompt))
        for choice in self.choices[:BUTTONS_PER_MESSAGE]:
            if fits_custom_id(choice.token):
                view.add_item(ChoiceButton(choice.token, choice.label))
            else:  # the text still lists nothing clickable for it; typing the answer works in DMs
                log.warning("choice token too long for a Discord button (%d chars)", len(choice.token))
        return view if view.children else None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `Messageable.send`, `Webhook.send` and the edit methods."""
        sent: dict[str, Any] = {"content": self.content or None, "allowed_mentions": NO_MENTIONS}
        if self.embed is not None:
            sent["embeds"] = [self.embed]
        view = self.view()
        if view is not None:
            sent["view"] = view
        return sent


def layout(reply: Reply) -> list[Outgoing]:
    """The Discord messages for one reply; buttons go on the last of them."""
    if reply.result is not None:
        messages = _result_messages(reply.result)
    else:
        messages = [Outgoing(content=chunk) for chunk in split_text(reply.text, CONTENT_LIMIT)]
    if reply.choices:
        messages[-1] = replace(messages[-1], **_offered(reply))
    return messages


def _offered(reply: Reply) -> dict[str, Any]:
    """What a question offers on Discord: a multi-select question's options as a menu, with
    "none of these" and "not sure" as buttons; any other question's choices as buttons."""
    if reply.multi:
        return {"picks": reply.options, "choices": reply.whole_answers, "picks_prompt": reply.picks_prompt}
    return {"choices": reply.choices}


def turn_layout(replies: list[Reply]) -> list[Outgoing]:
    """A turn's replies as Discord messages, as on Slack: short notes ("First, a quick safety
    check.") ride in the message of the question after them, so a turn is one notification; a
    result stands alone, with its embed."""
    messages: list[Outgoing] = []
    waiting: list[Reply] = []

    def together() -> None:
        if not waiting:
            return
        text = "\n\n".join(reply.text for reply in waiting)
        group = [Outgoing(content=chunk, replies=tuple(waiting)) for chunk in split_text(text, CONTENT_LIMIT)]
        if waiting[-1].choices:
            group[-1] = replace(group[-1], **_offered(waiting[-1]))
        messages.extend(group)
        waiting.clear()

    for reply in replies:
        if reply.result is not None:
            together()
            messages.extend(replace(message, replies=(reply,)) for message in layout(reply))
            continue
        waiting.append(reply)
        if reply.choices:
            together()
    together()
    return messages


def answered_text(template: str, question: str, answer: str) -> str:
    """A clicked question's new text: the question and the answer chosen (template from the dialog)."""
    return template.format(question=question, answer=answer).strip()[:CONTENT_LIMIT]


# ----- text -----------------------------------------------------------------------------------
def split_text(text: str, limit: int) -> list[str]:
    """Split on line breaks into pieces of at most `limit` characters (a longer line is cut)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


# ----- results --------------------------------------------------------------------------------
def _value(part: Section) -> str:
    return "\n".join(f"• {line}" if part.bulleted else line for line in part.lines)


def _fields(parts: list[Section]) -> list[tuple[str, str]]:
    """(name, value) per embed field; a section longer than a field continues in fields with
    an invisible name, so it still reads as one block."""
    fields: list[tuple[str, str]] = []
    for part in parts:
        for index, chunk in enumerate(split_text(_value(part), FIELD_VALUE_LIMIT)):
            name = part.heading if index == 0 and part.heading else _BLANK_NAME
            fields.append((name[:TITLE_LIMIT], chunk))
    return fields


def _urgency_line(result: Result, text: str) -> str:
    """The first line of a result: the urgency, bold and flagged when it is an emergency."""
    if result.urgency == "emergency":
        return f"\N{POLICE CARS REVOLVING LIGHT} **{text}**"
    if result.urgency == "urgent":
        return f"**{text}**"
    return text


def _result_messages(result: Result) -> list[Outgoing]:
    """`bot.render.sections` in order, styled for Discord: the urgency as the message's first
    line (above the embed), the title as the embed's title, the middle sections as fields and
    the reminder as the footer (below them). The embed is coloured by urgency and split over
    several messages when it would pass Discord's per-message limits."""
    parts = sections(result)
    text = {part.kind: "\n".join(part.lines) for part in parts if part.kind in _OUTSIDE_FIELDS}
    colour = URGENCY_COLOURS.get(result.urgency, URGENCY_COLOURS["soon"])
    title: str | None = text.get("title") or None
    description = None
    if title is not None and len(title) > TITLE_LIMIT:
        title, description = None, title
    embeds = [discord.Embed(title=title, description=description, colour=colour)]
    footer = text.get("reminder", "")[:2048]
    for name, value in _fields([part for part in parts if part.kind not in _OUTSIDE_FIELDS]):
        current = embeds[-1]
        if (
            len(current.fields) >= FIELDS_PER_EMBED
            or len(current) + len(name) + len(value) + len(footer) > EMBED_TOTAL_LIMIT
        ):
            current = discord.Embed(colour=colour)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    if footer:
        embeds[-1].set_footer(text=footer)
    first = split_text(_urgency_line(result, text.get("urgency", "")), CONTENT_LIMIT)[0]
    return [Outgoing(content=first if index == 0 else "", embed=embed) for index, embed in enumerate(embeds)]
