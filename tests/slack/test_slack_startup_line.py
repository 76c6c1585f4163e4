"""The start-up line names the HTTP endpoint readably: "port 3000 at /slack/events", not
"port 3000/slack/events"."""

from __future__ import annotations

from slack_harness import SlackRig


def test_the_http_endpoint_is_described_as_a_port_and_a_path(rig: SlackRig) -> None:
    assert rig.endpoint.describe() == f"HTTP events on port {rig.endpoint.port} at /slack/events"
