"""`kneebot graph` draws the dialog the bot runs, and the README shows that drawing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.cli import main
from bot.dialog import Dialog

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def graph(capsys: pytest.CaptureFixture[str], log_stream: object) -> Iterator[str]:
    """The output of `kneebot graph` (log_stream restores the logging `main` configures)."""
    assert main(["graph"]) == 0
    yield capsys.readouterr().out


def test_the_documented_diagram_is_what_kneebot_graph_prints(graph: str) -> None:
    blocks = re.findall(r"```mermaid\n(.*?)```", README.read_text(), flags=re.DOTALL)

    assert len(blocks) == 1, "README.md should hold exactly one mermaid block"
    assert blocks[0] == graph, (
        "README.md's diagram is out of date with the dialog: run `kneebot graph` and paste its "
        "output into the mermaid block"
    )


def test_the_diagram_draws_every_state_and_where_the_check_ends(graph: str, dialog: Dialog) -> None:
    assert graph.startswith("---\ntitle: knee_pain v1\n---\n") and "stateDiagram-v2" in graph
    lines = set(graph.splitlines())
    for state in dialog.states:
        assert f'  state "{state}" as {state}' in lines, f"{state} is not drawn"
    assert f"  [*] --> {dialog.start}" in lines
    for end in (*dialog.red_flags, "assess"):
        assert f"  {end} --> [*]" in lines


def test_every_answer_of_every_question_is_an_arrow(graph: str, dialog: Dialog) -> None:
    arrows = re.findall(r"^  (\w+) --> (\w+): (.+)$", graph, flags=re.MULTILINE)
    drawn = {
        (source, dest, trigger.strip())
        for source, dest, triggers in arrows
        for trigger in triggers.split("|")
    }
    for question in dialog.questions.values():
        for answer in question.answers:
            assert (question.id, answer.next, f"pick_{answer.value}") in drawn
