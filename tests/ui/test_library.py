"""The library on a real stored call: listing, full-text search, filters, exports (a real PDF), bundles."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from pytestqt.qtbot import QtBot

from companion.cli import main as cli_main
from companion.store.db import SessionStore
from companion.ui.library_view import LibraryView
from companion.ui.session_table import COL_AGENT, COL_ALERTS, COL_DURATION, COL_MISSED, COL_SENTIMENT, COL_TITLE
from tests import speech
from tests.ui.conftest import SHORT_CALL, StoredCall
from tests.ui.pdf_pages import ink_fraction, render_first_page


def _library(qtbot: QtBot, store_dir: Path) -> LibraryView:
    view = LibraryView(store_dir)
    qtbot.addWidget(view)
    view.resize(1100, 420)
    view.refresh()
    return view


def _cell(view: LibraryView, row: int, col: int) -> str:
    return str(view.model.data(view.model.index(row, col)))


def test_the_library_lists_searches_and_filters(stored_call: StoredCall, qtbot: QtBot, shots: Path) -> None:
    view = _library(qtbot, stored_call.store_dir)
    with SessionStore(stored_call.store_dir) as store:
        summary = store.session(stored_call.session_id)
    assert view.model.rowCount() == 1
    assert _cell(view, 0, COL_AGENT) == "Dana"
    assert _cell(view, 0, COL_TITLE) == "Broadband outage"
    assert 10 <= summary.duration < 60
    assert _cell(view, 0, COL_DURATION) == f"{round(summary.duration)} s"  # under a minute: seconds (issue 13)
    assert _cell(view, 0, COL_SENTIMENT) == f"{summary.sentiment_start:+.2f} → {summary.sentiment_end:+.2f}"
    assert summary.sentiment_start < 0 and summary.sentiment_end > summary.sentiment_start  # upset, then better
    assert _cell(view, 0, COL_MISSED) == str(summary.steps_missed)
    assert _cell(view, 0, COL_ALERTS) == str(summary.alerts)
    assert view.selected_session_id() == stored_call.session_id

    # Full-text search: words the recogniser heard find the call; others do not.
    view.search_box.setText("engineer tomorrow")
    qtbot.waitUntil(lambda: "engineer tomorrow" in view.status.text(), timeout=2000)
    assert view.model.rowCount() == 1
    view.search_box.setText("zebra")
    qtbot.waitUntil(lambda: view.model.rowCount() == 0, timeout=2000)
    view.search_box.setText("")
    qtbot.waitUntil(lambda: view.model.rowCount() == 1, timeout=2000)
    assert view.status.text() == ""  # the search's count went with the search

    # Filters narrow what the query gave.
    view.filter_box.setCurrentText("Recovered after a crash")
    assert view.model.rowCount() == 0
    view.filter_box.setCurrentText("Steps missed" if summary.steps_missed else "All calls")
    assert view.model.rowCount() == 1
    view.filter_box.setCurrentText("All calls")
    view.agent_box.setCurrentText("Dana")
    assert view.model.rowCount() == 1

    with qtbot.waitSignal(view.open_requested, timeout=1000) as opened:
        view.open_selected()
    assert opened.args == [stored_call.session_id]
    view.grab().save(str(shots / "library.png"))


def test_exports_write_transcripts_and_a_real_pdf(
    stored_call: StoredCall, qtbot: QtBot, tmp_path: Path, shots: Path
) -> None:
    view = _library(qtbot, stored_call.store_dir)
    sid = stored_call.session_id
    written = {fmt: view.export(sid, fmt, tmp_path / f"call.{fmt}") for fmt in ("txt", "srt", "vtt", "json", "html")}
    assert all(path is not None and path.stat().st_size > 0 for path in written.values()), view.status.text()
    assert "Agent:" in (tmp_path / "call.txt").read_text() and "engineer" in (tmp_path / "call.txt").read_text()
    assert (tmp_path / "call.vtt").read_text().startswith("WEBVTT")
    assert " --> " in (tmp_path / "call.srt").read_text()
    assert json.loads((tmp_path / "call.json").read_text())["session"]["agent"] == "Dana"

    pdf = view.export(sid, "pdf", tmp_path / "scorecard.pdf")
    assert pdf is not None, view.status.text()
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(data) > 10_000  # text with embedded fonts, not an empty page
    page, pages = render_first_page(pdf)
    assert pages >= 1
    assert 0.002 < ink_fraction(page) < 0.3  # printed text on a white page
    page.save(str(shots / "scorecard-pdf-page1.png"))

    # The command line prints the same PDF through the window's hook.
    cli_pdf = tmp_path / "cli.pdf"
    code = cli_main(
        ["export", str(sid), "--format", "pdf", "-o", str(cli_pdf), "--store-dir", str(stored_call.store_dir)]
    )
    assert code == 0 and cli_pdf.read_bytes().startswith(b"%PDF-")

    # A place that cannot be written gives a message in the page, not a traceback.
    assert view.export(sid, "pdf", tmp_path / "missing-folder" / "x.pdf") is None
    assert view.status.text().startswith("⚠") and "missing-folder" in view.status.text()


def test_a_bundle_round_trip_without_duplicates_and_a_damaged_bundle(
    stored_call: StoredCall, qtbot: QtBot, tmp_path: Path
) -> None:
    source = _library(qtbot, stored_call.store_dir)
    bundle = source.export(stored_call.session_id, "bundle", tmp_path / "call.ccsession")
    assert bundle is not None and zipfile.is_zipfile(bundle)

    other = _library(qtbot, tmp_path / "team-lead-store")
    assert other.model.rowCount() == 0
    imported = other.import_bundle(bundle)
    assert imported is not None and other.model.rowCount() == 1
    assert other.selected_session_id() == imported
    assert other.import_bundle(bundle) == imported  # the same call again: recognised, not added
    assert other.model.rowCount() == 1 and "already in the store" in other.status.text()

    damaged = tmp_path / "damaged.ccsession"
    damaged.write_bytes(bundle.read_bytes()[: len(bundle.read_bytes()) // 2])
    assert other.import_bundle(damaged) is None
    assert other.status.text().startswith("⚠") and "not a usable session bundle" in other.status.text()
    assert other.model.rowCount() == 1


def test_importing_a_recording_shows_progress_and_can_be_cancelled(qtbot: QtBot, tmp_path: Path, espeak: None) -> None:
    wav, _ = speech.synthesize_call(SHORT_CALL)
    view = _library(qtbot, tmp_path / "store")
    progress: list[float] = []

    # Cancelled as soon as it reports progress: nothing is kept.
    job = view.import_recording(wav)
    assert job is not None and view.cancel_button.isVisibleTo(view)
    job.signals.progress.connect(lambda f: view.cancel_import())
    with qtbot.waitSignal(view.import_failed, timeout=60_000) as failed:
        pass
    assert "cancelled" in failed.args[0] and view.model.rowCount() == 0
    with SessionStore(tmp_path / "store") as store:
        assert store.sessions() == []

    job = view.import_recording(wav)
    assert job is not None
    job.signals.progress.connect(progress.append)
    with qtbot.waitSignal(view.import_finished, timeout=90_000) as finished:
        pass
    assert progress and progress[-1] >= 0.99 and progress == sorted(progress)
    assert view.model.rowCount() == 1 and view.selected_session_id() == finished.args[0]
    assert _cell(view, 0, COL_TITLE) == wav.stem
    with SessionStore(tmp_path / "store") as store:
        texts = " ".join(u.text for u in store.search("Sam"))
        summary = store.session(finished.args[0])
    assert "sam" in texts.lower()
    assert summary.audio is not None and summary.audio.exists() and summary.playbook_steps
