"""Fuzzing with Hypothesis: a modest number of cases, each bounded in time, the same cases on every run.

``FUZZ_SCALE=20 FUZZ_RANDOM=1`` explores further and with fresh randomness (by hand, not in CI).
"""

from __future__ import annotations

import os
from datetime import timedelta

from hypothesis import HealthCheck, settings

from tests.fuzz.budget import cases

settings.register_profile(
    "fuzz",
    max_examples=cases(40),
    # A case that takes longer than this is a defect (a hang or a blow-up), not a slow machine.
    deadline=timedelta(seconds=5),
    derandomize=not os.environ.get("FUZZ_RANDOM"),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("fuzz")
