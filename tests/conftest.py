"""Shared test set-up: the offscreen Qt platform and real speech fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests import speech
from tests.audio.pulse import PulseServer, available
from tests.team.pg_fixtures import pg_cluster, team_db  # noqa: F401 (one PostgreSQL cluster for every test)


@pytest.fixture(scope="session")
def espeak() -> None:
    """Real speech needs espeak-ng and sox; their absence is a set-up failure, not a skip."""
    if not speech.have_tools():
        pytest.fail("espeak-ng and sox are needed to make test speech: run bash scripts/setup.sh --test")


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    """A PulseAudio server of the module's own with a null sink ``call``: real capture, no sound card."""
    if not available():
        pytest.fail("pulseaudio, pactl, paplay and sox are needed: run bash scripts/setup.sh --test")
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    server.start()
    yield server
    server.kill()
