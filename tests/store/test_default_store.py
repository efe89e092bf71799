"""One default store for the window and the command line, and the move of sessions an older window kept elsewhere."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from companion.cli import main
from companion.paths import default_store_dir, legacy_store_dirs
from companion.store.db import DB_NAME, SessionStore, new_uid, now_iso
from companion.store.migrate import ADOPTED_SUFFIX, adopt_default_stores
from companion.store.records import SessionInfo
from tests.store.conftest import RecordedCall


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "data"


def test_sessions_list_on_a_machine_with_no_calls_lists_nothing(
    data_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", "list"]) == 0
    assert capsys.readouterr().out.strip() == "no sessions"
    assert main(["sessions", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert not default_store_dir().exists(), "listing creates nothing"


def _legacy_copy(recorded_call: RecordedCall) -> Path:
    """The recorded call's store, where an older window kept its sessions."""
    (legacy,) = legacy_store_dirs()
    shutil.copytree(recorded_call.store_dir, legacy)
    return legacy


def _contents(store_dir: Path) -> dict[str, tuple]:
    with SessionStore(store_dir, readonly=True) as store:
        out = {}
        for s in store.sessions():
            audio = s.audio.read_bytes() if s.audio is not None and s.audio.exists() else None
            out[s.uid] = (s.title, s.duration, store.events(s.id), store.notes(s.id), audio)
        return out


def test_an_older_windows_sessions_move_into_the_default_store(
    data_home: Path, recorded_call: RecordedCall, capsys: pytest.CaptureFixture[str]
) -> None:
    with SessionStore(recorded_call.store_dir) as store:
        store.add_note(recorded_call.session_id, 3.0, "Lee", "Kept through the move.")
    before = _contents(recorded_call.store_dir)
    legacy = _legacy_copy(recorded_call)
    assert default_store_dir() in legacy.parents  # the old folder sat inside the new one
    assert main(["sessions", "list", "--json"]) == 0  # the command line's first start moves them
    rows = json.loads(capsys.readouterr().out)
    assert [r["uid"] for r in rows] == list(before)
    assert _contents(default_store_dir()) == before, "events, notes and audio all came over"
    assert not (legacy / DB_NAME).exists()
    assert adopt_default_stores(default_store_dir()) == 0, "nothing left to move"


def test_old_sessions_join_a_default_store_that_already_has_calls(data_home: Path, recorded_call: RecordedCall) -> None:
    before = _contents(recorded_call.store_dir)
    legacy = _legacy_copy(recorded_call)
    with SessionStore(default_store_dir()) as store:
        own = store.create_session(SessionInfo(new_uid(), now_iso(), agent="Ana", title="Made by the CLI"))
        store.finish_session(own, 12.0)
    assert adopt_default_stores(default_store_dir()) == len(before)
    after = _contents(default_store_dir())
    assert {uid: after[uid] for uid in before} == before
    assert len(after) == len(before) + 1
    assert (legacy / (DB_NAME + ADOPTED_SUFFIX)).exists(), "the old database is kept, renamed"
    assert adopt_default_stores(default_store_dir()) == 0
    assert len(_contents(default_store_dir())) == len(after), "no call is added twice"


def test_a_chosen_folder_is_left_alone(data_home: Path, recorded_call: RecordedCall, tmp_path: Path) -> None:
    legacy = _legacy_copy(recorded_call)
    assert adopt_default_stores(tmp_path / "elsewhere") == 0
    assert (legacy / DB_NAME).exists()
