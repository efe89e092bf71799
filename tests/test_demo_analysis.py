"""The bundled demo call, analysed headless: what a new user sees first must be right.

The demo was written to go listen -> empathize -> assess -> affirm -> resolve ->
agree -> thank, with one "our policy" trigger; its turns follow each other with
under a second between them, so no timing cue may fire (a sentence pause inside
a turn once read as a 7 s slow response).
"""

from __future__ import annotations

from companion.analysis.playbook import load_playbook
from companion.call_analysis import analyze_file
from companion.ui.demo import DEMO_CALL


def test_demo_call_reads_as_written() -> None:
    report, error = analyze_file(DEMO_CALL, playbook=load_playbook())
    assert error is None
    done = [s["id"] for s in report["steps"] if s["done"]]
    assert done == ["empathize", "assess", "affirm", "resolve", "agree", "thank"]
    kinds = [a["kind"] for a in report["alerts"]]
    assert "trigger-words" in kinds
    assert not {"slow-response", "dead-air", "monologue", "interruption"} & set(kinds), report["alerts"]
    customer = [p["customer"] for p in report["sentiment"] if p["customer"] is not None]
    assert customer[0] < -0.3 < 0.3 < customer[-1]  # upset at first, calm at the end
