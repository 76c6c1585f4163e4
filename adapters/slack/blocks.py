"""Block Kit layout of engine replies, and the escaping that keeps echoed text from pinging anyone.

Pure functions over plain dicts: no Slack library, no I/O, so the layout is easy to read and to
test. Every sentence comes from the reply (and so from the dialog YAML); this module only adds
structure, a few emoji markers and machine-readable block ids:

- `kneebot_question:<question id>` on a question's text, `kneebot_note:<n>` on any other message
  (a turn's short notes share one Slack message with the question after them),
- `kneebot_choices:<owner user id>` on the buttons (a click by anyone else is refused), and
  `kneebot_choices:<owner>:picks` on a multi-select question's checkboxes and Done button,
- `kneebot_result:<cause or none>:<urgency>` on the first block of a result, so tests,
  transcripts and anyone reading the raw message can tell the outcome without parsing prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.messages import Choice, Reply, Result
from bot.render import Section, choices_text, sections

Block = dict[str, Any]

QUESTION_BLOCK = "kneebot_question"
CHOICES_BLOCK = "kneebot_choices"
RESULT_BLOCK = "kneebot_result"
NOTE_BLOCK = "kneebot_note"
ACTION_PREFIX = "kneebot_choice_"
ACTION_PATTERN = rf"^{ACTION_PREFIX}\d+$"
PICKS_ACTION = "kneebot_picks"
"""Ticking a checkbox: Slack reports every tick; only Done sends the answer."""
DONE_ACTION = "kneebot_done"
PICKS_SUFFIX = ":picks"

# Slack's documented limits: longer text is refused by the API, so clip rather than fail.
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BUTTON_LIMIT = 75
OPTION_LIMIT = 75
MAX_CHECKBOXES = 10
FALLBACK_LIMIT = 3900
PLAIN_LIMIT = 39_000
"""chat.postMessage truncates `text` past 40,000 characters; a plain-text retry stays under it."""
MAX_BUTTONS = 25

URGENCY_MARK = {"emergency": ":rotating_light:", "urgent": ":warning:", "soon": ":stethoscope:"}


def escape(text: str) -> str:
    """Slack's three control characters as entities: `<!channel>`, `<@U123>` and
    `<!subteam^S1>` then show as typed instead of notifying anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn text object for already-escaped text. `verbatim` stops Slack from turning
    names, channels and URLs in it into links or mentions on its own."""
    return {"type": "mrkdwn", "text": _clip(text, SECTION_LIMIT), "verbatim": True}


def section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id[:255]
    return block


def context(text: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(text)]}


def fallback(text: str) -> str:
    """The top-level `text`: what notifications, screen readers and old clients show."""
    return _clip(escape(text), FALLBACK_LIMIT)


def buttons(choices: tuple[Choice, ...], owner: str) -> Block:
    return {
        "type": "actions",
        "block_id": f"{CHOICES_BLOCK}:{owner}"[:255],
        "elements": [
            {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}{index}",
                "text": {"type": "plain_text", "text": _clip(choice.label, BUTTON_LIMIT), "emoji": True},
                "value": choice.token,
            }
            for index, choice in enumerate(choices[:MAX_BUTTONS])
        ],
    }


def picks(reply: Reply, owner: str) -> Block:
    """A multi-select question's options as checkboxes, with the button that sends the ticked
    ones. Done with nothing ticked answers "none of these" (its token is the Done button's
    value)."""
    none = reply.whole_answers[0]
    return {
        "type": "actions",
        "block_id": f"{CHOICES_BLOCK}:{owner}{PICKS_SUFFIX}"[:255],
        "elements": [
            {
                "type": "checkboxes",
                "action_id": PICKS_ACTION,
                "options": [
                    {
                        "text": {"type": "plain_text", "text": _clip(c.label, OPTION_LIMIT), "emoji": True},
                        "value": c.token,
                    }
                    for c in reply.options[:MAX_CHECKBOXES]
                ],
            },
            {
                "type": "button",
                "action_id": DONE_ACTION,
                "style": "primary",
                "text": {"type": "plain_text", "text": _clip(reply.done_label, BUTTON_LIMIT), "emoji": True},
                "value": none.token,
            },
        ],
    }


def ticked(body: dict[str, Any], block_id: str) -> list[tuple[str, str]]:
    """(token, label) of each box ticked in a Done click's message, from the payload's state."""
    state = ((body.get("state") or {}).get("values") or {}).get(block_id) or {}
    chosen = (state.get(PICKS_ACTION) or {}).get("selected_options") or []
    return [(o.get("value") or "", (o.get("text") or {}).get("text") or "") for o in chosen]


def label_of(blocks: list[Block], token: str) -> str:
    """The label of the answer button carrying `token` in a message's blocks ("" if none does;
    Done carries the "none of these" token too, but is not that answer's label)."""
    for block in blocks:
        for element in block.get("elements") or []:
            if (
                element.get("type") == "button"
                and element.get("value") == token
                and element.get("action_id") != DONE_ACTION
            ):
                return str((element.get("text") or {}).get("text") or "")
    return ""


def owner_of(block_id: str | None) -> str | None:
    """The user a set of buttons was offered to, from its block id (None if not ours)."""
    prefix = f"{CHOICES_BLOCK}:"
    if block_id and block_id.startswith(prefix):
        return block_id[len(prefix) :].split(":")[0] or None
    return None


def outcome_block_id(result: Result) -> str:
    return f"{RESULT_BLOCK}:{result.cause or 'none'}:{result.urgency}"


def _section_block(part: Section) -> Block:
    """A section as mrkdwn: its heading in bold, then its lines (bulleted when a list)."""
    lines = [f"• {escape(line)}" if part.bulleted else escape(line) for line in part.lines]
    heading = [f"*{escape(part.heading)}*"] if part.heading else []
    return section("\n".join([*heading, *lines]))


def _styled(part: Section, result: Result) -> list[Block]:
    """One section of `bot.render.sections` as Block Kit: the urgency flagged and bold, the
    title as a header, a divider before each cause and before the summary, the reminder small."""
    text = "\n".join(part.lines)
    if part.kind == "urgency":
        mark = URGENCY_MARK.get(result.urgency, "")
        return [section(f"{mark} *{escape(text)}*".strip())]
    if part.kind == "title":
        if len(text) <= HEADER_LIMIT:
            return [{"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}]
        return [section(f"*{escape(text)}*")]
    if part.kind == "reminder":
        return [context(escape(text))]
    if part.kind in ("finding", "summary"):
        return [{"type": "divider"}, _section_block(part)]
    return [_section_block(part)]


def result_blocks(result: Result) -> list[Block]:
    """The result's sections in `bot.render.sections` order (the urgency first, so an emergency
    is the first thing seen); the first block carries the outcome's block id."""
    blocks = [block for part in sections(result) for block in _styled(part, result)]
    blocks[0]["block_id"] = outcome_block_id(result)
    return blocks


def reply_message(reply: Reply, *, owner: str, index: int = 0) -> dict[str, Any]:
    """`text` and `blocks` for chat.postMessage; buttons belong to `owner` (a Slack user id).
    Every reply starts with a block whose id names it, so a message carrying several replies
    can still be read reply by reply."""
    if reply.result is not None:
        blocks = result_blocks(reply.result)
    else:
        block_id = f"{QUESTION_BLOCK}:{reply.question}" if reply.question else f"{NOTE_BLOCK}:{index}"
        blocks = [section(escape(reply.text), block_id)]
    if reply.multi:
        blocks += [picks(reply, owner), buttons(reply.whole_answers, owner)]
    elif reply.choices:
        blocks.append(buttons(reply.choices, owner))
    return {"text": fallback(reply.text), "blocks": blocks}


@dataclass(frozen=True, slots=True)
class Message:
    """One Slack message of a turn: its chat.postMessage arguments (`text` and `blocks`) and the
    replies it carries, for a plain-text retry and for counting what could not be delivered."""

    args: dict[str, Any]
    replies: tuple[Reply, ...]

    def plain(self) -> dict[str, Any]:
        """The same replies as plain text, no blocks: what is tried when Slack refuses the
        blocks. A question lists its answers numbered, so typing the number still answers."""
        parts = [f"{r.text}\n{choices_text(r.choices)}" if r.choices else r.text for r in self.replies]
        return {"text": _clip(escape("\n\n".join(parts)), PLAIN_LIMIT)}


def turn_messages(replies: list[Reply], *, owner: str) -> list[Message]:
    """A turn's replies as Slack messages: short notes ("First, a quick safety check.") ride
    along in the message of the question after them, so a turn is one notification; a result
    always stands alone, and anything with buttons ends a message."""
    messages: list[Message] = []
    blocks: list[Block] = []
    carried: list[Reply] = []

    def close() -> None:
        text = fallback("\n\n".join(reply.text for reply in carried))
        messages.append(Message(args={"text": text, "blocks": blocks}, replies=tuple(carried)))

    for index, reply in enumerate(replies):
        message = reply_message(reply, owner=owner, index=index)
        if reply.result is not None and blocks:
            close()
            blocks, carried = [], []
        blocks += message["blocks"]
        carried.append(reply)
        if reply.result is not None or reply.choices or index == len(replies) - 1:
            close()
            blocks, carried = [], []
    return messages


def answered(blocks: list[Block], note: str) -> list[Block]:
    """A clicked message as it should now look: its buttons gone, the chosen answer noted."""
    kept = [b for b in blocks if not str(b.get("block_id", "")).startswith(CHOICES_BLOCK)]
    return [*kept, context(escape(note))]
