"""`kneebot chat --record FILE` checks FILE before the chat starts, not after it: a folder that
does not exist, or a folder given as the file, stops it at once; an existing file is never
overwritten without `--force`. And a recording never holds the login name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TYPED = "hi\nnone\n"


def chat(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_URL", "KNEEBOT_", "LOG_"))}
    return subprocess.run(
        [sys.executable, "-m", "adapters.cli", "chat", *args],
        input=TYPED,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, **(env or {}), "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("target", "said"),
    [
        (
            "no/such/dir/x.yaml",
            "kneebot: cannot record to no/such/dir/x.yaml: there is no folder no/such/dir",
        ),
        (".", "kneebot: --record . is a folder: give a file name"),
    ],
)
def test_a_recording_that_cannot_be_written_stops_before_the_chat(
    tmp_path: Path, target: str, said: str
) -> None:
    done = chat(tmp_path, "--user", "pat", "--record", target)
    assert done.returncode == 2
    assert done.stderr.startswith(said), done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""  # the conversation never started
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_an_existing_file_is_kept_unless_forced(tmp_path: Path) -> None:
    existing = tmp_path / "bug.yaml"
    existing.write_text("someone's careful edits\n", encoding="utf-8")

    refused = chat(tmp_path, "--user", "pat", "--record", "bug.yaml")
    assert refused.returncode == 2
    assert refused.stderr.startswith("kneebot: bug.yaml already exists: choose another file, or add --force")
    assert refused.stdout == ""
    assert existing.read_text(encoding="utf-8") == "someone's careful edits\n"

    forced = chat(tmp_path, "--user", "pat", "--record", "bug.yaml", "--force")
    assert forced.returncode == 0, forced.stderr
    assert existing.read_text(encoding="utf-8").startswith("# Recorded with `kneebot chat --record`")


def test_a_recording_never_holds_the_login_name(tmp_path: Path) -> None:
    login = {
        "LOGNAME": "jsmith-login",
        "USER": "jsmith-login",
        "LNAME": "jsmith-login",
        "USERNAME": "jsmith-login",
    }
    done = chat(tmp_path, "--record", "session.yaml", env=login)
    assert done.returncode == 0, done.stderr
    recorded = (tmp_path / "session.yaml").read_text(encoding="utf-8")
    assert "jsmith-login" not in recorded
    assert "user: someone" in recorded
