"""The transcript a call leaves behind: each line with its settled text."""

from __future__ import annotations

from companion.analysis.report import build_report
from companion.analysis.settled import settled_utterances
from companion.events import CallEnded, CallStarted, Revision, Utterance, Word


def test_each_line_takes_its_latest_settled_text_and_keeps_its_place() -> None:
    events = [
        CallStarted(0.0, "call.wav", (("agent", "left"), ("customer", "right")), True),
        Utterance(0, "customer", 1.0, 3.0, "My bill is to high.", 1, 3.6),
        Utterance(1, "agent", 3.5, 5.0, "I am sorry.", 1, 5.5),
        Revision(6.0, 0, "customer", "My bill is too high.", (Word("My", 1.1, 1.3),)),
        Revision(6.5, 7, "agent", "a line that was never shown"),
        CallEnded(8.0),
    ]
    lines = settled_utterances(events)
    assert [(u.id, u.text) for u in lines] == [(0, "My bill is too high."), (1, "I am sorry.")]
    assert lines[0].emitted == 3.6 and lines[0].words == (Word("My", 1.1, 1.3),)
    report = build_report(events, steps=(), wall_s=1.0, source="call.wav")
    assert [u["text"] for u in report["utterances"]] == ["My bill is too high.", "I am sorry."]
