"""Shared test set-up: the offscreen Qt platform and real speech fixtures."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from tests import speech
from tests.team.pg_fixtures import pg_cluster, team_db  # noqa: F401 (one PostgreSQL cluster for every test)


@pytest.fixture(scope="session")
def espeak() -> None:
    """Real speech needs espeak-ng and sox; their absence is a set-up failure, not a skip."""
    if not speech.have_tools():
        pytest.fail("espeak-ng and sox are needed to make test speech: run scripts/setup-system.sh")
