from __future__ import annotations

from pathlib import Path

import pytest

from tests import speech
from tests.faults import drive


@pytest.fixture(scope="module")
def call_wav(espeak: None) -> tuple[Path, list[speech.Turn]]:
    """The call the fault cases play: short turns with pauses, so a kill lands between lines and inside them."""
    return speech.synthesize_call(drive.KILL_SCRIPT, gap_s=0.8)
