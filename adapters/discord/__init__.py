"""The Discord adapter: `/kneepain`, buttons that survive restarts, and typed answers in DMs.

Only `kneebot discord` imports this package, so no other command pays for importing discord.py.
See docs/discord.md for setting up the application and the privacy decisions.
"""

from __future__ import annotations

from adapters.discord.app import KneeClient, run_discord

__all__ = ["KneeClient", "run_discord"]
