"""A transcript kept as a session: analyze --store and import, then the library, search, scorecard, notes, exports."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from companion.events import CallStarted, Utterance
from companion.store.db import SessionStore
from companion.store.session_data import load_session
from tests.edges.cli import run_cli
from tests.edges.transcripts import CALL_LINES, write_call


def test_analyze_store_and_import_keep_a_text_only_session(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call = write_call(tmp_path)
    store_dir = tmp_path / "store"
    code, out, err = run_cli(capsys, "analyze", str(call), "--store", "--store-dir", str(store_dir))
    assert code == 0, err
    assert "stored as session 1" in err
    code, out, err = run_cli(capsys, "import", str(call), "--store-dir", str(store_dir), "--agent-name", "Sam")
    assert code == 0 and "imported as session 2" in out, err

    with SessionStore(store_dir) as store:
        for session_id in (1, 2):
            summary = store.session(session_id)
            assert summary.audio is None and summary.state == "complete"
            assert summary.utterances == len(CALL_LINES)
            assert summary.duration >= 26  # the last line starts at 0:26
            assert summary.title == "support-call"
            session = load_session(store, session_id)
            texts = [u.text for u in session.utterances]
            assert len(texts) == len(CALL_LINES) and texts[0].startswith("Thank you for calling")
            assert [u.speaker for u in session.utterances] == ["agent", "customer"] * 3
            started = next(e for e in session.events if isinstance(e, CallStarted))
            assert {name for _s, name in started.channels} == {"transcript"}
        assert store.session(2).agent == "Sam"
        # Search finds the call by what was said; the playbook scored it.
        assert {hit.session_id for hit in store.search("refunded second charge")} == {1, 2}
        summary = store.session(1)
        assert summary.steps_done >= 2 and summary.playbook_steps
        # No audio file was left behind for a call that had none.
        assert list((store_dir / "audio").iterdir()) == []

    code, out, _ = run_cli(capsys, "sessions", "list", "--json", "--store-dir", str(store_dir), "--search", "refunded")
    assert code == 0 and {row["id"] for row in json.loads(out)} == {1, 2}

    # Notes and every export work on it, the scorecard included.
    with SessionStore(store_dir) as store:
        store.add_note(1, 11.0, "Lead", "Good apology here.")
    for fmt in ("txt", "srt", "vtt", "json", "html", "pdf", "bundle"):
        out_file = tmp_path / f"call.{fmt}"
        args = ("export", "1", "--format", fmt, "-o", str(out_file), "--store-dir", str(store_dir))
        code, _, err = run_cli(capsys, *args)
        assert code == 0 and out_file.stat().st_size > 0, (fmt, err)
    exported = json.loads((tmp_path / "call.json").read_text())
    done = {s["id"] for s in exported["scorecard"]["steps"] if s["done"]}
    assert {"empathize", "resolve"} <= done
    assert exported["notes"][0]["text"] == "Good apology here."
    assert "Good apology here." in (tmp_path / "call.html").read_text()
    with zipfile.ZipFile(tmp_path / "call.bundle") as z:
        assert "audio.ogg" not in z.namelist()
    # The bundle carries the text-only session to another store, where it is whole.
    code, out, _ = run_cli(capsys, "import", str(tmp_path / "call.bundle"), "--store-dir", str(tmp_path / "other"))
    assert code == 0 and "imported as session 1" in out
    with SessionStore(tmp_path / "other") as other:
        moved = load_session(other, 1)
    assert [u.text for u in moved.utterances] == [u.text for u in load_session(SessionStore(store_dir), 1).utterances]


def test_a_bad_transcript_keeps_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("[00:01] Agent: Hello.\nthis line names nobody\n", encoding="utf-8")
    store_dir = tmp_path / "store"
    for args in (("analyze", str(bad), "--store"), ("import", str(bad))):
        code, _out, err = run_cli(capsys, *args, "--store-dir", str(store_dir))
        assert code == 2 and err.count("\n") == 1 and "line 2" in err, err
    with SessionStore(store_dir) as store:
        assert store.sessions() == []


def test_a_transcript_refuses_realtime_and_channels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call = write_call(tmp_path)
    for extra in (("--realtime",), ("--channels", "1,2")):
        code, _, err = run_cli(capsys, "analyze", str(call), "--store", "--store-dir", str(tmp_path / "s"), *extra)
        assert code == 2 and err.count("\n") == 1 and "transcript" in err, err


def test_the_utterances_keep_the_files_times(tmp_path: Path) -> None:
    from companion.call_analysis import record_file

    call = write_call(tmp_path)
    with SessionStore(tmp_path / "store") as store:
        session_id, report, error = record_file(call, store)
        events = store.events(session_id or -1)
    assert error is None
    starts = [e.start for e in events if isinstance(e, Utterance)]
    assert starts == [1.0, 5.0, 11.0, 17.0, 21.0, 26.0]
    assert [u["start"] for u in report["utterances"]] == starts
