"""The shipped dialog's reader, built once for the reading tests (spaCy and medspaCy load once)."""

from __future__ import annotations

import pytest

from bot.dialog import Dialog
from bot.reading.pipeline import Pipeline, load_pipeline
from bot.reading.reader import Reader
from bot.turn import Dialogue


@pytest.fixture(scope="session")
def pipeline(dialog: Dialog) -> Pipeline:
    return load_pipeline(dialog).result()


@pytest.fixture(scope="session")
def reader(dialog: Dialog) -> Reader:
    return Reader(dialog)


@pytest.fixture(scope="session")
def dialogue(dialog: Dialog) -> Dialogue:
    return Dialogue(dialog)
