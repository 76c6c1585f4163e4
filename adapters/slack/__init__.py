"""Slack adapter: `kneebot slack` on slack-bolt, over Socket Mode or HTTP (see docs/slack.md).

Only this package imports slack_bolt and slack_sdk; the CLI imports it lazily, so other
commands start without them.
"""

from __future__ import annotations

from adapters.slack.serve import run_slack

__all__ = ["run_slack"]
