"""What was said is text in every export: markup stays words in HTML and PDF, cue text cannot break SRT/VTT."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PySide6.QtGui import QTextDocument
from PySide6.QtPdf import QPdfDocument
from pytestqt.qtbot import QtBot

from companion.analysis.coach import coach_for
from companion.analysis.playbook import load_playbook
from companion.call_analysis import record_file
from companion.cli import main
from companion.events import CallEnded, CallStarted, Utterance
from companion.store.db import SessionStore, new_uid, now_iso
from companion.store.records import SessionInfo
from companion.ui.coaching import load_coaching
from companion.ui.replay_view import ReplayView
from tests.edges.transcripts import IMG_TAG, SCRIPT_TAG, write_call

# Said by a caller, or typed into a bundle made elsewhere: a whole forged cue inside one line.
FORGED = "fine\n\n99\n00:00:00,000 --> 00:09:59,000\n<b>forged cue</b>\n\nWEBVTT"


class _Elements(HTMLParser):
    """The elements a browser would build from a page, and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _export(store_dir: Path, session: int, fmt: str, out: Path) -> Path:
    assert main(["export", str(session), "--format", fmt, "-o", str(out), "--store-dir", str(store_dir)]) == 0
    return out


@pytest.fixture
def hostile_store(tmp_path: Path) -> tuple[Path, int, int]:
    """A transcript session with markup in a line, its title, its agent and a note; and one with forged cues."""
    store_dir = tmp_path / "store"
    with SessionStore(store_dir) as store:
        from companion.store.recorder import RecorderSettings

        settings = RecorderSettings(title=f"Call {IMG_TAG}", agent=f"Sam {SCRIPT_TAG}")
        spoken, _report, error = record_file(
            write_call(tmp_path), store, recorder_settings=settings, coach=coach_for(load_playbook())
        )
        assert error is None and spoken is not None
        store.add_note(spoken, 5.0, f"Lead {IMG_TAG}", f"The customer typed {SCRIPT_TAG} here")
        forged = store.create_session(SessionInfo(new_uid(), now_iso(), title="forged"))
        store.append_events(
            forged,
            [
                (0, CallStarted(0.0, "bundle", (("agent", "left"), ("customer", "right")), False)),
                (1, Utterance(0, "agent", 1.0, 2.0, FORGED)),
                (2, Utterance(1, "customer", 3.0, 4.0, "it was 12 --> 13 pounds")),
                (3, CallEnded(4.0)),
            ],
        )
        store.finish_session(forged, 4.0)
    return store_dir, spoken, forged


def test_markup_is_text_in_the_html_scorecard(hostile_store: tuple[Path, int, int], tmp_path: Path) -> None:
    store_dir, spoken, _ = hostile_store
    page = _export(store_dir, spoken, "html", tmp_path / "card.html").read_text(encoding="utf-8")
    parsed = _Elements()
    parsed.feed(page)
    assert not {"script", "img", "iframe", "object"} & set(parsed.tags)
    assert not [a for a in parsed.attributes if a.startswith("on")]
    text = "".join(parsed.text)
    # The words are all there, as the characters that were typed.
    assert SCRIPT_TAG in text and IMG_TAG in text and f"Sam {SCRIPT_TAG}" in text


def test_markup_is_text_in_the_pdf(hostile_store: tuple[Path, int, int], tmp_path: Path, qtbot: QtBot) -> None:
    store_dir, spoken, _ = hostile_store
    pdf = _export(store_dir, spoken, "pdf", tmp_path / "card.pdf")
    doc = QPdfDocument()
    assert doc.load(str(pdf)) == QPdfDocument.Error.None_
    text = " ".join(doc.getAllText(page).text() for page in range(doc.pageCount()))
    flat = " ".join(text.split())
    assert "<script>alert('x')</script>" in flat, flat
    assert "Call <img" in flat and "onerror" in flat


def _cues(text: str) -> list[list[str]]:
    return [block.split("\n") for block in text.strip("\n").split("\n\n")]


def test_srt_cues_cannot_be_broken_or_forged(hostile_store: tuple[Path, int, int], tmp_path: Path) -> None:
    store_dir, spoken, forged = hostile_store
    for session, n_lines in ((spoken, 6), (forged, 2)):
        srt = _export(store_dir, session, "srt", tmp_path / f"{session}.srt").read_text(encoding="utf-8")
        cues = _cues(srt)
        assert len(cues) == n_lines, srt
        for i, cue in enumerate(cues, 1):
            assert len(cue) == 3, cue  # number, timing, one line of text
            assert cue[0] == str(i)
            assert re.fullmatch(r"\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}", cue[1])
            assert "-->" not in cue[2] and "<" not in cue[2] and ">" not in cue[2]
    assert "forged cue" in srt  # the words survive, as words


def test_vtt_cues_cannot_be_broken_or_forged(hostile_store: tuple[Path, int, int], tmp_path: Path) -> None:
    store_dir, spoken, forged = hostile_store
    for session, n_lines in ((spoken, 6), (forged, 2)):
        vtt = _export(store_dir, session, "vtt", tmp_path / f"{session}.vtt").read_text(encoding="utf-8")
        header, *cues = _cues(vtt)
        assert header == ["WEBVTT"] and len(cues) == n_lines, vtt
        for cue in cues:
            assert len(cue) == 2, cue
            assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}", cue[0])
            voice, _, said = cue[1].partition(">")
            assert voice in ("<v Agent", "<v Customer")
            assert "-->" not in said and "<" not in said and ">" not in said
    assert "&lt;b&gt;forged cue&lt;/b&gt;" in vtt


def test_the_txt_transcript_keeps_one_line_per_utterance(hostile_store: tuple[Path, int, int], tmp_path: Path) -> None:
    store_dir, _, forged = hostile_store
    lines = _export(store_dir, forged, "txt", tmp_path / "t.txt").read_text(encoding="utf-8").splitlines()
    said = [line for line in lines if line.startswith("[")]
    assert len(said) == 2 and said[0].startswith("[00:00:01] Agent: fine 99")


def test_the_replay_title_shows_markup_as_text(hostile_store: tuple[Path, int, int], qtbot: QtBot) -> None:
    store_dir, spoken, _ = hostile_store
    view = ReplayView(load_coaching("").steps)
    qtbot.addWidget(view)
    with SessionStore(store_dir) as store:
        assert view.load(store, spoken)
    label = QTextDocument()
    label.setHtml(view.title.text())  # the rich text the label lays out
    shown = label.toPlainText()
    assert f"Call {IMG_TAG}" in shown and f"agent Sam {SCRIPT_TAG}" in shown
