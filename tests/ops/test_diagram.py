"""`kneebot graph` draws the dialog the bot runs, and the README shows that drawing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.cli import main
from bot.dialog import Dialog
from bot.flow import routes
from bot.machine import states

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
    assert (
        graph.startswith(f"---\ntitle: {dialog.id} v{dialog.version}\n---\n") and "stateDiagram-v2" in graph
    )
    lines = set(graph.splitlines())
    for state in states(dialog):
        assert f'  state "{state}" as {state}' in lines, f"{state} is not drawn"
    asked_as_options = {o.fact for q in dialog.questions.values() if q.kind == "multi" for o in q.options}
    for fact in asked_as_options - set(states(dialog)):  # only ever a tick: no state of its own
        assert f'  state "{fact}" as {fact}' not in lines, f"{fact} is drawn as a dead end"
    assert f"  [*] --> {dialog.start}" in lines
    for end in (*dialog.red_flags, *dialog.outcomes, "assess"):
        assert f"  {end} --> [*]" in lines


def test_every_question_and_every_route_of_the_flow_is_an_arrow(graph: str, dialog: Dialog) -> None:
    """Every answer leads back to the hub; every route out of it is drawn with the guard the bot
    checks, so the diagram shows the decisions the bot makes (arrows to one state share a line,
    their labels joined by " | ")."""
    arrows = re.findall(r"^  (\w+) --> (\w+): (.+)$", graph, flags=re.MULTILINE)
    labels = {(source, dest): label for source, dest, label in arrows}
    for question in set(states(dialog)) & set(dialog.questions):
        assert labels.get((question, dialog.start)) == "answered", f"{question} does not lead back"
    flow = routes(dialog)
    for route in flow:
        assert f"route [{route.guard.name}]" in labels.get((dialog.start, route.dest), ""), route
    ends = {*dialog.red_flags, *dialog.outcomes, "assess"}
    assert ends <= {route.dest for route in flow}, "an end of the check no route leads to"
