"""The deploy kit as a volunteer uses it: a Dockerfile that lints clean, a compose file and an
env example that name every setting, and a systemd unit with the keys that keep it safe."""

from __future__ import annotations

import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bot.config import settings_from_env

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"

SECRET_VARIABLES = {"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"}
BOT_SERVICES = {"slack": "slack", "discord": "discord"}


def _hadolint(binary: str, dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [binary, "--no-color", "--failure-threshold", "style", str(dockerfile)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


# ----- Dockerfile ------------------------------------------------------------------------------
def test_the_dockerfile_passes_hadolint_with_no_finding_at_all(hadolint: str) -> None:
    linted = _hadolint(hadolint, DEPLOY / "Dockerfile")

    assert linted.returncode == 0 and not linted.stdout.strip(), linted.stdout + linted.stderr


def test_hadolint_really_reports_a_bad_dockerfile(hadolint: str, tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN pip install requests\n")

    linted = _hadolint(hadolint, bad)

    assert linted.returncode != 0
    assert "DL3007" in linted.stdout and "DL3013" in linted.stdout


def _instructions(dockerfile: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def test_the_image_runs_kneebot_slack_as_a_non_root_user_with_health_and_ports() -> None:
    steps = _instructions(DEPLOY / "Dockerfile")
    final = steps[max(i for i, (k, _) in enumerate(steps) if k == "FROM") :]
    values = defaultdict(list)
    for keyword, rest in final:
        values[keyword].append(rest)

    assert values["FROM"][0].startswith("python:") and "slim" in values["FROM"][0]
    assert values["USER"] and values["USER"][-1].split(":")[0] not in ("root", "0")
    assert values["CMD"] == ['["kneebot", "slack"]']
    assert set(" ".join(values["EXPOSE"]).split()) == {"3000", "8080"}
    assert "/healthz" in values["HEALTHCHECK"][0]
    installs = [rest for keyword, rest in steps if keyword == "RUN" and "pip install" in rest]
    assert any('".[redis,slack,discord]"' in rest for rest in installs)


def test_no_secret_is_baked_into_the_image() -> None:
    text = (DEPLOY / "Dockerfile").read_text()

    for name in SECRET_VARIABLES:
        assert name not in text
    assert not re.search(r"xox[abp]-|xapp-", text)
    assert "COPY . " not in text and "COPY .env" not in text


# ----- .env.example ----------------------------------------------------------------------------
def test_env_example_names_every_setting(
    env_example: tuple[dict[str, str], set[str]], setting_variables: frozenset[str]
) -> None:
    _, named = env_example

    assert sorted(setting_variables - named) == []


def test_env_example_holds_no_secret_and_starts_a_valid_configuration(
    env_example: tuple[dict[str, str], set[str]],
) -> None:
    active, _ = env_example

    assert {name: active[name] for name in SECRET_VARIABLES if active.get(name)} == {}
    settings = settings_from_env(active)
    assert settings.log_format == "json" and settings.health_port == 8080


def test_env_example_explains_every_setting_with_a_comment() -> None:
    lines = (DEPLOY / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^#? ?[A-Z_]+=", line):
            above = lines[index - 1]
            assert above.startswith("#"), f"no comment above {line!r}"


# ----- compose ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_each_bot_with_redis_health_restart_and_a_data_volume(compose: dict) -> None:
    services = compose["services"]
    redis = services["redis"]
    assert redis["image"].startswith("redis:")
    assert "redis-cli" in redis["healthcheck"]["test"]

    for service, platform in BOT_SERVICES.items():
        bot = services[service]
        assert bot["command"] == ["kneebot", platform]
        assert bot["profiles"] == [platform]
        assert bot["env_file"] == ".env"
        assert bot["restart"] in ("unless-stopped", "always", "on-failure")
        assert "/healthz" in " ".join(bot["healthcheck"]["test"])
        assert bot["depends_on"]["redis"]["condition"] == "service_healthy"
        assert "redis://redis:6379" in bot["environment"]["REDIS_URL"]
        assert any(volume.endswith(":/data") for volume in bot["volumes"])
        assert bot["environment"]["KNEEBOT_DB"].startswith("/data/")
        assert bot["environment"]["HEALTH_HOST"] == "0.0.0.0"
        assert bot["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert set(compose["volumes"]) >= {"kneebot-data", "redis-data"}


def test_compose_names_only_real_settings_and_passes_every_other_one_from_env_file(
    compose: dict, setting_variables: frozenset[str], env_example: tuple[dict[str, str], set[str]]
) -> None:
    _, in_env_example = env_example
    for service in BOT_SERVICES:
        environment = set(compose["services"][service]["environment"])
        assert environment <= setting_variables, (
            f"{service}: unknown {sorted(environment - setting_variables)}"
        )
        # everything else reaches the container through env_file: .env, copied from .env.example
        assert sorted(setting_variables - environment - in_env_example) == []


def test_compose_publishes_health_on_loopback_only(compose: dict) -> None:
    for service in BOT_SERVICES:
        health = [p for p in compose["services"][service]["ports"] if "HEALTH_PORT" in p]
        assert health and all(p.startswith("127.0.0.1:") for p in health)


# ----- systemd ---------------------------------------------------------------------------------
def _unit(path: Path) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, sep, value = line.partition("=")
        assert sep, f"not a key=value line: {raw!r}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def test_the_systemd_unit_runs_kneebot_unprivileged_and_restarts_on_failure() -> None:
    unit = _unit(DEPLOY / "kneebot.service")
    service = {key: values[-1] for key, values in unit["Service"].items()}

    assert service["User"] not in ("root", "0") and service["Group"] not in ("root", "0")
    program, *arguments = service["ExecStart"].split()
    assert Path(program).is_absolute() and Path(program).name == "kneebot"
    assert arguments == ["slack"]
    assert service["EnvironmentFile"].startswith("/etc/kneebot/")
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"  # kneebot's exit status for bad configuration
    assert service["StateDirectory"] == "kneebot"
    assert "KNEEBOT_DB=/var/lib/kneebot/" in " ".join(unit["Service"]["Environment"])
    assert "multi-user.target" in unit["Install"]["WantedBy"]
    assert "network-online.target" in unit["Unit"]["After"][-1]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("CapabilityBoundingSet", ""),
        ("RestrictSUIDSGID", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("SystemCallFilter", "@system-service"),
        ("UMask", "0077"),
    ],
)
def test_the_systemd_unit_is_hardened(key: str, value: str) -> None:
    assert value in _unit(DEPLOY / "kneebot.service")["Service"][key]


def test_the_systemd_environment_file_is_the_env_example_format() -> None:
    """systemd reads no inline comments and no `export`: keep .env.example in that form."""
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(r"[A-Z_]+=[^#'\"\s]*", line), f"systemd and compose cannot both read {line!r}"


def test_settings_field_defaults_match_what_env_example_says_they_are() -> None:
    """A commented `# NAME=value` line documents the default; keep it true."""
    defaults = settings_from_env({})
    fields = {
        "KNEEBOT_DB": str(defaults.db_path),
        "KNEEBOT_TTL_HOURS": f"{defaults.ttl_hours:g}",
        "PORT": str(defaults.port),
        "HEALTH_HOST": defaults.health_host,
    }
    documented = dict(
        re.findall(r"^# ([A-Z_]+)=(\S*)$", (DEPLOY / ".env.example").read_text(), flags=re.MULTILINE)
    )
    assert {name: documented[name] for name in fields} == fields


def test_the_deploy_guide_documents_every_setting(setting_variables: frozenset[str]) -> None:
    guide = (DEPLOY.parent / "docs" / "deploy.md").read_text()
    table = set(re.findall(r"^\| `([A-Z_]+)` \|", guide, flags=re.MULTILINE))

    assert sorted(setting_variables - table) == [], "add them to the configuration table"
    assert sorted(table - setting_variables) == [], "the table names variables kneebot does not read"
