"""How many cases a fuzz test runs: modest by default (the whole folder in about a minute), more by hand."""

from __future__ import annotations

import os

SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def cases(n: int) -> int:
    """``n`` cases, times ``FUZZ_SCALE`` (e.g. ``FUZZ_SCALE=20 FUZZ_RANDOM=1`` for a long exploring run)."""
    return max(1, round(n * SCALE))
