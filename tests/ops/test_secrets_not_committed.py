"""`deploy/.env` is where the docs tell people to put their tokens: git must ignore it (and any
`.env`), while the committed example stays tracked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _ignored(path: str) -> bool:
    done = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "--no-index", "-q", path],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr  # 128: not a git checkout, git missing
    return done.returncode == 0


@pytest.mark.parametrize("path", ["deploy/.env", ".env", "deploy/slack/.env"])
def test_files_that_hold_real_tokens_are_ignored_by_git(path: str) -> None:
    assert _ignored(path)


def test_the_example_settings_file_stays_tracked() -> None:
    assert not _ignored("deploy/.env.example")
