"""The terminal chat: no tokens, no network, the same engine as Slack and Discord."""

from adapters.console.chat import run_chat

__all__ = ["run_chat"]
