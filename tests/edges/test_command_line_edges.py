"""The small rough edges of the command line: relative and file store paths, --playbook, short lengths, set-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.store.db import SessionStore, new_uid, now_iso
from companion.store.lengths import length_text
from companion.store.records import SessionInfo
from companion.ui.coaching import load_coaching
from companion.ui.session_table import COL_DURATION, SessionTableModel
from tests.edges.cli import run_cli
from tests.edges.transcripts import write_call

ROOT = Path(__file__).resolve().parents[2]


def test_a_relative_store_dir_works_everywhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    write_call(tmp_path, "call.txt")
    assert run_cli(capsys, "analyze", "call.txt", "--store", "--store-dir", "mystore")[0] == 0
    assert run_cli(capsys, "import", "call.txt", "--store-dir", "mystore")[0] == 0
    code, out, err = run_cli(capsys, "sessions", "list", "--store-dir", "mystore")
    assert code == 0 and len(out.splitlines()) == 3, err
    assert run_cli(capsys, "sessions", "list", "--json", "--store-dir", "./mystore/../mystore")[0] == 0
    code, _, err = run_cli(capsys, "export", "1", "--format", "txt", "-o", "out.txt", "--store-dir", "mystore")
    assert code == 0 and (tmp_path / "out.txt").exists(), err
    code, _, err = run_cli(capsys, "export", "1", "--format", "bundle", "-o", "b.ccsession", "--store-dir", "mystore")
    assert code == 0, err
    code, out, err = run_cli(capsys, "import", "b.ccsession", "--store-dir", "other")
    assert code == 0 and "imported as session 1" in out, err
    assert run_cli(capsys, "sessions", "recover", "--store-dir", "mystore")[0] == 0
    # Where the relative path pointed when it was given, whatever the folder later.
    with SessionStore(tmp_path / "mystore") as store:
        assert len(store.sessions()) == 2


def test_a_store_path_that_is_a_file_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taken = tmp_path / "sessions"
    taken.write_text("my notes\n")
    call = write_call(tmp_path)
    for args in (
        ("sessions", "list"),
        ("import", str(call)),
        ("analyze", str(call), "--store"),
        ("export", "1", "--format", "txt", "-o", str(tmp_path / "o.txt")),
    ):
        code, _, err = run_cli(capsys, *args, "--store-dir", str(taken))
        assert code == 2, (args, err)
        assert err.count("\n") == 1 and "is a file, not a folder" in err, err
    assert taken.read_text() == "my notes\n"


def test_an_explicit_playbook_that_is_missing_or_malformed_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call = write_call(tmp_path)
    malformed = tmp_path / "team.yaml"
    malformed.write_text("steps:\n  - id: greet\n    title: [unclosed\n", encoding="utf-8")
    wrong_shape = tmp_path / "shape.yaml"
    wrong_shape.write_text("- just\n- a list\n", encoding="utf-8")
    store_dir = tmp_path / "store"
    for book in (tmp_path / "typo.yaml", malformed, wrong_shape):
        for args in (("analyze", str(call)), ("analyze", str(call), "--store"), ("import", str(call))):
            code, out, err = run_cli(capsys, *args, "--playbook", str(book), "--store-dir", str(store_dir))
            assert code == 2, (book, args, err)
            assert err.count("\n") == 1 and str(book) in err and out == ""
    assert not store_dir.exists()  # nothing was stored against another playbook
    # Named and fine: it is used.
    assert run_cli(capsys, "analyze", str(call), "--playbook", str(ROOT / "assets" / "playbook.yaml"))[0] == 0


def test_the_window_keeps_its_fallback_for_a_bad_playbook(tmp_path: Path) -> None:
    coaching = load_coaching(str(tmp_path / "typo.yaml"))
    assert coaching.coach is not None and coaching.steps
    assert coaching.problem is not None and "default playbook" in coaching.problem


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (0.0, "0.0 s"),
        (0.98, "1.0 s"),
        (4.44, "4.4 s"),
        (9.96, "10 s"),
        (42.4, "42 s"),
        (59.6, "1:00"),
        (61, "1:01"),
        (3600, "1:00:00"),
        (3725.2, "1:02:05"),
    ],
)
def test_lengths_show_seconds(seconds: float, shown: str) -> None:
    assert length_text(seconds) == shown


def test_a_call_under_a_second_is_listed_with_its_length(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], qtbot: QtBot
) -> None:
    store_dir = tmp_path / "store"
    with SessionStore(store_dir) as store:
        session_id = store.create_session(SessionInfo(new_uid(), now_iso(), agent="Sam"))
        store.finish_session(session_id, 0.98)
        summary = store.session(session_id)
    code, out, _ = run_cli(capsys, "sessions", "list", "--store-dir", str(store_dir))
    assert code == 0 and "1.0 s" in out.splitlines()[1] and "00:00:00" not in out
    model = SessionTableModel()
    model.set_rows([summary])
    assert model.data(model.index(0, COL_DURATION)) == "1.0 s"


def test_set_up_prints_no_deprecation_warnings(tmp_path: Path) -> None:
    # The packaging step of `pip install -e .`, verbose so that the build back-end's warnings show.
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-2000:]
    assert "Deprecat" not in output, [line for line in output.splitlines() if "eprecat" in line]
