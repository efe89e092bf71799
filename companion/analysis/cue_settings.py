"""Thresholds of the live voice cues, set in the playbook file's ``cues:`` section.

Units are in the names, so a team editing its playbook cannot mistake seconds
for milliseconds or words per minute for words per second.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class CueThresholds:
    pace_fast_wpm: float = 190.0
    pace_slow_wpm: float = 100.0
    pace_window_s: float = 30.0
    monologue_s: float = 45.0
    overlap_min_s: float = 0.6
    dead_air_s: float = 8.0
    slow_response_s: float = 4.0
    raised_voice_db: float = 6.0

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))
