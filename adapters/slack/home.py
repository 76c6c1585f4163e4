"""The App Home tab and the one-time welcome, as Block Kit: pure layout, every word from the dialog.

Slack shows the Home tab when someone opens kneebot in the sidebar; it is the first thing a new
person sees, so it says what kneebot is and is not, offers a check, says what is kept and for
how long, and lets the person delete it all. The welcome is a single message in the Messages
tab the first time it is opened, with the same "Start a check" button.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.slack.blocks import Block, context, escape, fallback, section

START_ACTION = "kneebot_home_start"
FORGET_ACTION = "kneebot_home_forget"
DOCS_ACTION = "kneebot_home_docs"
HOME_BLOCK = "kneebot_home"

SENTENCES = (
    "slack_welcome",
    "slack_home_title",
    "slack_home_about",
    "slack_home_start",
    "slack_home_start_hint",
    "slack_home_started",
    "slack_home_privacy_title",
    "slack_home_privacy",
    "slack_home_forget",
    "slack_home_forget_confirm_title",
    "slack_home_forget_confirm",
    "slack_home_forget_yes",
    "slack_home_forget_no",
    "slack_home_docs",
)
"""The dialog messages this layout reads (none takes a placeholder)."""

# Slack's limits for plain_text: a header 150, a button 75, a confirmation's title 100 and its
# buttons 30 characters.
_LIMITS = {"header": 150, "button": 75, "title": 100, "choice": 30}


def _plain(text: str, limit: str) -> dict[str, Any]:
    size = _LIMITS[limit]
    return {
        "type": "plain_text",
        "text": text if len(text) <= size else text[: size - 1] + "…",
        "emoji": True,
    }


def start_button(words: Mapping[str, str]) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": START_ACTION,
        "style": "primary",
        "text": _plain(words["slack_home_start"], "button"),
        "value": "open",
    }


def home_view(
    words: Mapping[str, str], *, docs_url: str | None = None, note: str | None = None
) -> dict[str, Any]:
    """The Home tab. `note` is a line about what just happened (a check started, everything
    forgotten), shown at the top until the tab is next drawn."""
    forget = {
        "type": "button",
        "action_id": FORGET_ACTION,
        "style": "danger",
        "text": _plain(words["slack_home_forget"], "button"),
        "value": "forget",
        "confirm": {
            "title": _plain(words["slack_home_forget_confirm_title"], "title"),
            "text": {"type": "plain_text", "text": words["slack_home_forget_confirm"]},
            "confirm": _plain(words["slack_home_forget_yes"], "choice"),
            "deny": _plain(words["slack_home_forget_no"], "choice"),
            "style": "danger",
        },
    }
    blocks: list[Block] = [{"type": "header", "text": _plain(words["slack_home_title"], "header")}]
    if note:
        blocks.append(section(f"*{escape(note)}*", f"{HOME_BLOCK}:note"))
    blocks += [
        section(escape(words["slack_home_about"]), f"{HOME_BLOCK}:about"),
        {"type": "actions", "block_id": f"{HOME_BLOCK}:start", "elements": [start_button(words)]},
        context(escape(words["slack_home_start_hint"])),
        {"type": "divider"},
        section(
            f"*{escape(words['slack_home_privacy_title'])}*\n{escape(words['slack_home_privacy'])}",
            f"{HOME_BLOCK}:privacy",
        ),
    ]
    actions: list[dict[str, Any]] = [forget]
    if docs_url:
        actions.append(
            {
                "type": "button",
                "action_id": DOCS_ACTION,
                "text": _plain(words["slack_home_docs"], "button"),
                "url": docs_url,
            }
        )
    blocks.append({"type": "actions", "block_id": f"{HOME_BLOCK}:privacy_actions", "elements": actions})
    return {"type": "home", "blocks": blocks}


def welcome_message(words: Mapping[str, str]) -> dict[str, Any]:
    """`text` and `blocks` for the welcome in the Messages tab."""
    text = words["slack_welcome"]
    return {
        "text": fallback(text),
        "blocks": [
            section(escape(text), f"{HOME_BLOCK}:welcome"),
            {"type": "actions", "block_id": f"{HOME_BLOCK}:welcome_start", "elements": [start_button(words)]},
        ],
    }
