"""Thresholds of the live voice cues, set in the playbook file's ``cues:`` section.

Units are in the names, so a team editing its playbook cannot mistake seconds
for milliseconds or words per minute for words per second.  What each figure
measures is written up in docs/voice-cues.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class CueThresholds:
    # Pace is words per minute of the agent's own speaking time (pauses between
    # utterances left out), the way conversation-intelligence tools count it;
    # fluent conversational English measures roughly 150-210 on that scale.
    pace_fast_wpm: float = 250.0
    pace_slow_wpm: float = 120.0
    pace_window_s: float = 30.0
    pace_min_speech_s: float = 8.0  # less agent speech than this in the window is no reading
    monologue_s: float = 45.0
    monologue_pause_s: float = 2.5  # an agent pause this long gives the customer room: the turn ends
    overlap_min_s: float = 0.6
    overlap_upset_min_s: float = 0.3  # talking over an upset customer counts sooner
    dead_air_s: float = 8.0
    hold_check_back_s: float = 60.0  # an announced hold becomes dead air after this
    slow_response_s: float = 4.0
    raised_voice_db: float = 6.0
    raised_voice_rate_ratio: float = 1.2  # this much faster than usual halves the loudness needed
    raised_voice_baseline_s: float = 4.0  # a speaker's speech heard before their baseline counts

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))
