"""The command line on a real store: list, export, import (bundle and recording), analyze --store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion.cli import main
from companion.store.db import SessionStore
from tests import speech
from tests.store.conftest import RecordedCall


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_sessions_list_and_export(
    recorded_call: RecordedCall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(recorded_call.store_dir)
    code, out, _ = _run(capsys, "sessions", "list", "--json", "--store-dir", store)
    rows = json.loads(out)
    assert code == 0 and rows[0]["id"] == recorded_call.session_id and rows[0]["agent"] == "Sam"
    code, out, _ = _run(capsys, "sessions", "list", "--store-dir", store, "--search", "refunded")
    assert code == 0 and "Sam" in out.splitlines()[1]
    code, out, _ = _run(capsys, "sessions", "list", "--store-dir", store, "--search", "volcano")
    assert out.strip() == "no sessions"
    for fmt in ("txt", "srt", "vtt", "json", "html", "bundle"):
        target = tmp_path / f"call.{fmt}"
        code, out, _ = _run(capsys, "export", str(recorded_call.session_id), "--format", fmt, "-o", str(target))
        assert code == 2  # no --store-dir: the default store is empty/missing here
        code, out, _ = _run(
            capsys,
            "export",
            str(recorded_call.session_id),
            "--format",
            fmt,
            "-o",
            str(target),
            "--store-dir",
            store,
        )
        assert code == 0 and target.stat().st_size > 0, fmt
    # PDF goes through the window's Qt printer (companion.ui.pdf), made headless for the command line.
    code, _, err = _run(capsys, "export", "1", "--format", "pdf", "-o", str(tmp_path / "c.pdf"), "--store-dir", store)
    assert code == 0 and (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF-"), err


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The default store must never be the user's real one in tests.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))


def test_import_bundle_twice_and_a_damaged_one(
    recorded_call: RecordedCall, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = tmp_path / "call.ccsession"
    _run(
        capsys,
        "export",
        "1",
        "--format",
        "bundle",
        "-o",
        str(bundle),
        "--store-dir",
        str(recorded_call.store_dir),
    )
    code, out, _ = _run(capsys, "import", str(bundle))  # into the default (XDG) store
    assert code == 0 and "imported as session 1" in out
    code, out, _ = _run(capsys, "import", str(bundle))
    assert code == 0 and "already in the store" in out
    assert (tmp_path / "data-home" / "call-companion" / "sessions.db").exists()
    broken = tmp_path / "broken.ccsession"
    broken.write_bytes(bundle.read_bytes()[:-100])
    code, _, err = _run(capsys, "import", str(broken))
    assert code == 2 and "nothing was imported" in err and len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "sessions", "list", "--store-dir", str(tmp_path / "nowhere"))
    assert code == 2 and "no session store" in err


def test_analyze_store_and_import_a_recording(espeak: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    mono = tmp_path / "voicemail.wav"
    speech.write_wav(mono, speech.speak("Hello, please call me back about my broken washing machine.", "customer"))
    code, out, err = _run(capsys, "analyze", str(mono), "--store", "--store-dir", str(store))
    assert code == 0 and "stored as session 1" in err
    assert "washing machine" in json.loads(out)["utterances"][0]["text"].lower()
    code, out, _ = _run(capsys, "import", str(mono), "--agent-name", "Lee", "--store-dir", str(store))
    assert code == 0 and "imported as session 2" in out
    with SessionStore(store, readonly=True) as s:
        second = s.session(2)
        assert second.agent == "Lee" and second.channels == (("call", "mono"),) and second.utterances == 1
        assert second.audio is not None and second.audio.exists()
        assert len(s.sessions(search="washing")) == 2


def test_importing_a_recording_reports_progress_and_can_be_cancelled(espeak: None, tmp_path: Path) -> None:
    import threading

    from companion.call_analysis import record_file
    from companion.errors import InputError

    mono = tmp_path / "long.wav"
    speech.write_wav(mono, speech.speak("I would like to cancel my subscription please. " * 4, "customer"))
    seen: list[float] = []
    cancel = threading.Event()

    def progress(fraction: float) -> None:
        seen.append(fraction)
        if fraction > 0.3:
            cancel.set()

    with SessionStore(tmp_path / "store") as store:
        with pytest.raises(InputError, match="cancelled; nothing was kept"):
            record_file(mono, store, progress=progress, cancel=cancel)
        assert store.sessions() == [] and list(store.audio_dir.iterdir()) == []
        assert seen == sorted(seen) and 0.3 < seen[-1] < 1.0
        session_id, report, error = record_file(mono, store, progress=seen.append)
        assert error is None and seen[-1] == 1.0 and store.session(session_id or 0).utterances >= 1
        assert "subscription" in report["utterances"][0]["text"].lower()
