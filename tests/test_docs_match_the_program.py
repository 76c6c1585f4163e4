"""What the docs show must be what the program does: the README's example `kneebot check`
errors are reproduced by making each mistake in the shipped dialog, the log line in
docs/deploy.md is the engine's own format, the commands in the docs run things that exist,
kneebot is never installed by name from PyPI (it is not there), `deploy/.env` is only offered
where compose or docker reads it, and a newer dialog version resumes a conversation."""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.dialog import Dialog
from bot.dialog.loader import DialogError, load_dialog
from bot.engine import Engine, default_dialog_path
from bot.logs import LineFormatter
from bot.store import MemoryStore
from bot.yaml_lines import load_lines
from tests.conftest import Person

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHOWN_AS = "dialogs/knee_pain.yaml"


def _code_blocks(path: Path, languages: tuple[str, ...]) -> list[str]:
    text = path.read_text(encoding="utf-8")
    return [m.group(2) for m in re.finditer(r"```(\w*)\n(.*?)```", text, re.S) if m.group(1) in languages]


# ----- the README's example errors ---------------------------------------------------------------
def _readme_examples() -> list[tuple[int, str, str]]:
    (block,) = [b for b in _code_blocks(ROOT / "README.md", ("text",)) if b.startswith(SHOWN_AS)]
    examples = []
    for line in block.strip().splitlines():
        match = re.fullmatch(rf"{re.escape(SHOWN_AS)}:(\d+) \(([\w.\[\]]+)\): (.+)", line)
        assert match, f"not an error line as kneebot check prints one: {line!r}"
        examples.append((int(match.group(1)), match.group(2), match.group(3)))
    return examples


def _node(raw: Any, place: str) -> Any:
    """What a dotted place (`flow[13]`, `questions.swelling.notes`) names in the parsed file."""
    node = raw
    for name, index in re.findall(r"(\w+)|\[(\d+)\]", place):
        node = node[int(index)] if index else node[name]
    return node


def _make_the_mistake(lines: list[str], raw: Any, place: str, message: str) -> None:
    """Change the shipped dialog so it has the mistake the example reports, found from the
    example's own place and words (so this test names no question of the current dialog)."""
    if misspelt := re.fullmatch(r"unknown (?:state|question) '(\w+)'; did you mean '(\w+)'\?", message):
        wrong, right = misspelt.groups()
        number = _node(raw, place).line - 1
        assert f": {right}" in lines[number], f"{place} is not {right!r} in the shipped dialog"
        lines[number] = lines[number].replace(f": {right}", f": {wrong}", 1)
    elif message.startswith("key True: "):
        number = _node(raw, place).key_lines["yes"] - 1
        lines[number] = lines[number].replace('"yes":', "yes:", 1)
    else:
        pytest.fail(f"the README shows a kind of error this test cannot make yet: {message}")


@pytest.mark.parametrize("example", _readme_examples(), ids=lambda e: e[1])
def test_the_readme_example_errors_are_what_kneebot_check_says(
    tmp_path: Path, example: tuple[int, str, str]
) -> None:
    line, place, message = example
    shipped = default_dialog_path().read_text(encoding="utf-8")
    lines = shipped.split("\n")
    shutil.copytree(default_dialog_path().parent / "language", tmp_path / "language")
    _make_the_mistake(lines, load_lines(default_dialog_path(), DialogError), place, message)
    broken = tmp_path / "knee_pain.yaml"
    broken.write_text("\n".join(lines), encoding="utf-8")

    with pytest.raises(DialogError) as refused:
        load_dialog(broken)

    said = [f"{SHOWN_AS}:{p.line} ({p.place}): {p.message}" for p in refused.value.problems]
    assert said == [f"{SHOWN_AS}:{line} ({place}): {message}"]


# ----- the log line in docs/deploy.md ---------------------------------------------------------------
def test_the_turn_log_line_in_the_deploy_docs_has_the_engines_format(dialog: Dialog) -> None:
    (shown,) = [
        line.strip()
        for block in _code_blocks(ROOT / "docs" / "deploy.md", ("",))
        for line in block.splitlines()
        if " bot.engine: turn " in line
    ]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(LineFormatter())
    engine_log = logging.getLogger("bot.engine")
    engine_log.addHandler(handler)
    old_level = engine_log.level
    engine_log.setLevel(logging.INFO)
    try:
        Person(Engine(dialog, MemoryStore())).say("hi")
    finally:
        engine_log.removeHandler(handler)
        engine_log.setLevel(old_level)
    (real,) = [line for line in stream.getvalue().splitlines() if " bot.engine: turn " in line]

    def shape(line: str) -> str:
        line = re.sub(r"^\S+Z ", "<time> ", line)
        return re.sub(r"=\S+", "=…", line)

    assert shape(shown) == shape(real)


# ----- commands, installs and settings files in the docs --------------------------------------------
def _commands() -> list[tuple[str, str]]:
    found = []
    for path in DOCS:
        for block in _code_blocks(path, ("sh", "bash", "shell", "console")):
            for line in block.replace("\\\n", " ").splitlines():
                line = line.strip().removeprefix("$ ")
                if line and not line.startswith("#"):
                    found.append((path.name, line))
    return found


@pytest.mark.parametrize(("doc", "command"), _commands())
def test_a_command_in_the_docs_runs_a_program_that_exists(doc: str, command: str) -> None:
    words = shlex.split(command, comments=True)
    program = words[1] if words[0] == "sudo" and len(words) > 1 else words[0]
    if "/" not in program:
        return  # found on PATH: kneebot, docker, git, python3...
    if program.startswith("/"):
        assert program.startswith("/opt/kneebot/"), f"{doc}: {program} is a path on someone's machine"
    else:
        assert (ROOT / program).exists(), f"{doc}: {program} does not exist in the repository"


def test_kneebot_is_never_installed_by_name_from_an_index() -> None:
    texts = {
        p.name: p.read_text(encoding="utf-8")
        for p in [*DOCS, *sorted((ROOT / "deploy").rglob("*"))]
        if p.is_file()
    }
    by_name = re.compile(r"pip install\s+(-\S+\s+)*['\"]?kneebot\b")
    assert [name for name, text in texts.items() if by_name.search(text)] == []


def test_deploy_env_is_only_offered_where_compose_or_docker_reads_it() -> None:
    for path in DOCS:
        for paragraph in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            if re.search(r"deploy/\.env(?!\.example)", paragraph):
                assert re.search(r"compose|docker", paragraph, re.I), (
                    f"{path.name}: {paragraph.strip()[:200]}"
                )


# ----- docs/deploy.md: a newer dialog version resumes conversations ----------------------------------
def test_a_newer_dialog_version_resumes_a_check_in_progress(dialog: Dialog) -> None:
    store = MemoryStore()
    person = Person(Engine(dialog, store))
    person.say("hi")
    person.click(person.question.choices[-1].label)
    asked = person.question.question

    newer = Person(Engine(dataclasses.replace(dialog, version=dialog.version + 1), store))
    replies = newer.engine.resume(person.key)

    assert [r.name for r in replies[:1]] == ["resumed"]
    assert replies[-1].question == asked
    newer.say("help")
    assert "dialog_changed" not in [r.name for r in newer.last]
