from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from companion.errors import StoreError
from companion.store.db import SessionStore, new_uid
from companion.store.export import export_session, to_json
from companion.store.records import SessionInfo
from companion.store.session_data import StoredSession, load_session
from tests.store.calls import PLAYBOOK, internet_outage_events


@pytest.fixture
def outage(tmp_path: Path) -> tuple[SessionStore, int]:
    store = SessionStore(tmp_path / "store")
    # Stored with redaction switched off, so the exports' own redaction is what is tested.
    info = SessionInfo(
        new_uid(), "2026-11-28T14:05:00+00:00", "Priya", "Outage", playbook_steps=PLAYBOOK, redacted=False
    )
    session_id = store.create_session(info)
    store.append_events(session_id, list(enumerate(internet_outage_events())))
    store.finish_session(session_id, 49.0)
    store.add_note(session_id, 22.0, "Ana", "Let her finish <before> offering fixes & checks.")
    store.add_note(session_id, 47.0, "Ana", "Outage callbacks are not being made", kind="follow-up")
    return store, session_id


def _session(outage: tuple[SessionStore, int], redact: bool = True) -> StoredSession:
    store, session_id = outage
    return load_session(store, session_id, redact=redact)


def test_txt(outage: tuple[SessionStore, int], tmp_path: Path) -> None:
    text = export_session(_session(outage), "txt", tmp_path / "c.txt").read_text()
    lines = text.splitlines()
    assert lines[0] == "Call of 2026-11-28T14:05:00+00:00 - agent Priya"
    assert "[00:00:20] Agent: Have you tried restarting the router?" in lines
    assert "[00:00:45] Customer: Okay, thank you, that helps. My number is [phone number]." in lines
    assert "[00:00:47] Ana (follow-up): Outage callbacks are not being made" in lines
    assert "555" not in text


def test_srt_and_vtt_cues(outage: tuple[SessionStore, int], tmp_path: Path) -> None:
    srt = export_session(_session(outage), "srt", tmp_path / "c.srt").read_text()
    cues = srt.strip().split("\n\n")
    assert len(cues) == 8
    assert cues[1].splitlines() == [
        "2",
        "00:00:03,500 --> 00:00:14,000",
        "Customer: My internet has been down for three days and nobody has called me back.",
    ]
    vtt = export_session(_session(outage), "vtt", tmp_path / "c.vtt").read_text()
    assert vtt.startswith("WEBVTT\n\n")
    assert "00:00:20.500 --> 00:00:24.000\n<v Agent>Have you tried restarting the router?" in vtt
    assert len(re.findall(r"^\d\d:\d\d:\d\d\.\d{3} --> ", vtt, re.M)) == 8


def test_json_holds_analysis_scorecard_and_notes(outage: tuple[SessionStore, int], tmp_path: Path) -> None:
    data = json.loads(export_session(_session(outage), "json", tmp_path / "c.json").read_text())
    assert data["schema"] == "call-companion/session@1"
    assert data["session"]["agent"] == "Priya"
    assert data["analysis"]["schema"] == "call-companion/analysis@1"
    assert len(data["analysis"]["utterances"]) == 8
    assert [s["done"] for s in data["scorecard"]["steps"]] == [True, True, False, True, False]
    assert data["scorecard"]["first_empathy_s"] == 41.4
    assert [n["kind"] for n in data["notes"]] == ["note", "follow-up"]


def test_html_scorecard(outage: tuple[SessionStore, int], tmp_path: Path) -> None:
    page = export_session(_session(outage), "html", tmp_path / "c.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "http" not in page  # self-contained
    assert re.search(r'<tr class="missed"><td>Take ownership</td><td>missed</td>', page)
    assert re.search(r'<tr class="done"><td>Acknowledge the feeling</td><td>done at 00:00:41</td>', page)
    assert "<q>Have you tried restarting the router?</q>" in page  # the pitfall's quote
    assert "Let her finish &lt;before&gt; offering fixes &amp; checks." in page
    assert "(follow-up: process issue)" in page
    assert "-0.62" in page and "+0.72" in page  # lowest mood and recovery


def test_redaction_can_be_turned_off(outage: tuple[SessionStore, int], tmp_path: Path) -> None:
    text = export_session(_session(outage, redact=False), "txt", tmp_path / "c.txt").read_text()
    assert "555-123-4567" in text
    assert "555-123-4567" not in json.dumps(to_json(_session(outage)))


def test_pdf_needs_a_renderer_and_failures_are_clear(outage: tuple[SessionStore, int], tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="PDF export needs"):
        export_session(_session(outage), "pdf", tmp_path / "c.pdf")
    rendered: list[tuple[str, Path]] = []
    export_session(_session(outage), "pdf", tmp_path / "c.pdf", lambda html, out: rendered.append((html, out)))
    assert rendered and "<h1>Scorecard</h1>" in rendered[0][0]
    with pytest.raises(StoreError, match="unknown export format 'docx'"):
        export_session(_session(outage), "docx", tmp_path / "c.docx")
    with pytest.raises(StoreError, match="cannot write"):
        export_session(_session(outage), "txt", tmp_path / "missing" / "c.txt")
    assert not list(tmp_path.glob("*.part"))
