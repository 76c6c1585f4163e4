"""Socket Mode with an app-level token Slack refuses: `kneebot slack` stops at once with the
documented sentence and exit status 2, instead of retrying every ten seconds forever."""

from __future__ import annotations

import os
import subprocess
import sys

from slack_fake_api import APP_TOKEN, BOT_TOKEN, FakeSlack

SLACK_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "PORT")


def test_a_refused_app_token_stops_the_start_with_the_documented_sentence(fake: FakeSlack) -> None:
    refused = "xapp-1-A0KNEEBOT-1234-revokedapptoken"
    assert refused != APP_TOKEN
    env = {k: v for k, v in os.environ.items() if k not in SLACK_VARIABLES and not k.startswith("HEALTH_")}
    env.update(
        SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=refused, SLACK_API_URL=fake.api_url, LOG_LEVEL="INFO"
    )

    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "slack", "--memory"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # before the fix it retried forever: this bound turns that into a failure
        check=False,
    )

    assert done.returncode == 2, done.stderr
    said = [line for line in done.stderr.splitlines() if line.startswith("kneebot:")]
    assert said == [
        "kneebot: Slack refused SLACK_APP_TOKEN (invalid_auth): is Socket Mode enabled for the app?"
    ]
    assert "Traceback" not in done.stderr and refused not in done.stderr
    assert [call.method for call in fake.calls] == ["auth.test", "apps.connections.open"]
    assert not fake.socket_connected
