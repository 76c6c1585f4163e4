"""After `./dev chat`, which installs kneebot without its optional extras, the commands that
need an extra (`kneebot slack`, `kneebot discord`, the Redis store) end with one line naming
what to install, and exit 2; never a ModuleNotFoundError traceback.

The environment is a real base install, not a simulation: a folder holding exactly kneebot's
base dependencies (found from its own package metadata, the way pip resolves them) and
nothing else, run with `python -S` so no site-packages are seen. `kneebot chat` working there
is the control: only the extras are missing."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _base_requirements(distribution: str) -> list[str]:
    """The names of a distribution's requirements outside any extra, whose environment
    markers hold here (`tomli; python_version < "3.11"` is no requirement on 3.11)."""
    names = []
    for line in importlib.metadata.requires(distribution) or []:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            names.append(requirement.name)
    return names


@pytest.fixture(scope="session")
def base_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with kneebot's base dependencies, each linked from this environment."""
    folder = tmp_path_factory.mktemp("base-install")
    wanted, seen = ["kneebot"], set()
    while wanted:
        name = wanted.pop()
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        wanted.extend(_base_requirements(name))
        if name == "kneebot":
            continue  # the project itself comes from the source tree
        distribution = importlib.metadata.distribution(name)
        for top in {Path(str(file)).parts[0] for file in distribution.files or []}:
            if top.endswith((".dist-info", ".data")) or top in ("..", "__pycache__"):
                continue
            source = Path(str(distribution.locate_file(top)))
            if source.exists() and not (folder / top).exists():
                (folder / top).symlink_to(source)
    assert {"yaml", "transitions", "prometheus_client"} <= {p.name for p in folder.iterdir()}
    return folder


def kneebot(
    base_install: Path, cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-S", "-m", "adapters.cli", *args],
        input="",
        capture_output=True,
        text=True,
        cwd=cwd,
        env={
            "PYTHONPATH": f"{ROOT}:{base_install}",
            "PATH": "/usr/bin:/bin",
            "HOME": str(cwd),
            **(env or {}),
        },
        timeout=60,
        check=False,
    )


def test_the_base_install_is_real_and_runs_the_chat(base_install: Path, tmp_path: Path) -> None:
    done = kneebot(base_install, tmp_path, "chat", "--user", "pat")
    assert done.returncode == 0, done.stderr
    probe = subprocess.run(
        [sys.executable, "-S", "-c", "import slack_bolt"],
        env={"PYTHONPATH": f"{ROOT}:{base_install}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert "ModuleNotFoundError" in probe.stderr  # the extras really are missing


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["slack"], "kneebot: kneebot slack needs slack-bolt, slack-sdk and aiohttp, and "),
        (["discord"], "kneebot: kneebot discord needs discord.py, and "),
        (
            ["chat", "--redis-url", "redis://127.0.0.1:1/0"],
            "kneebot: the Redis store (--redis-url) needs redis, and redis is not installed",
        ),
    ],
)
def test_a_command_needing_a_missing_extra_says_what_to_install_in_one_line(
    base_install: Path, tmp_path: Path, args: list[str], said: str
) -> None:
    tokens = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DISCORD_TOKEN": "d"}
    done = kneebot(base_install, tmp_path, *args, env=tokens)
    assert done.returncode == 2
    assert done.stderr.startswith(said), done.stderr
    assert "pip install -e '.[" in done.stderr and "./dev kneebot" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
