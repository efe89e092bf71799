from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from companion.errors import StoreError
from companion.store.audio_file import read_audio
from companion.store.bundle import export_bundle, import_bundle
from companion.store.db import SessionStore
from tests.store.conftest import RecordedCall


@pytest.fixture(scope="module")
def bundle(recorded_call: RecordedCall, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle") / "call.ccsession"
    with SessionStore(recorded_call.store_dir) as store:
        store.add_note(recorded_call.session_id, 9.7, "Ana (team lead)", "Good empathy here.")
        store.add_note(recorded_call.session_id, 21.5, "Ana (team lead)", "Refund double charges", "follow-up")
        export_bundle(store, recorded_call.session_id, out)
    return out


def _store_contents(root: Path) -> tuple[int, list[str]]:
    with SessionStore(root) as store:
        n = len(store.sessions())
    return n, sorted(p.name for p in (root / "audio").iterdir())


def test_round_trip_to_another_machine(recorded_call: RecordedCall, bundle: Path, tmp_path: Path) -> None:
    with SessionStore(recorded_call.store_dir, readonly=True) as source:
        original = source.session(recorded_call.session_id)
        original_events = source.events(original.id)
        original_notes = source.notes(original.id)
    with SessionStore(tmp_path / "lead") as lead:
        result = import_bundle(lead, bundle)
        assert not result.duplicate and result.uid == original.uid
        s = lead.session(result.session_id)
        assert lead.events(s.id) == original_events
        assert lead.notes(s.id) == original_notes
        assert (s.duration, s.agent, s.utterances, s.playbook_steps) == (
            original.duration,
            original.agent,
            original.utterances,
            original.playbook_steps,
        )
        assert lead.search("refunded")[0].session_id == s.id  # searchable like a local call
        assert s.audio is not None and original.audio is not None
        assert s.audio.read_bytes() == original.audio.read_bytes()
        assert read_audio(s.audio).shape[0] == 2
        again = import_bundle(lead, bundle)
        assert again.duplicate and again.session_id == s.id and "already" in again.message
        assert len(lead.sessions()) == 1
    with zipfile.ZipFile(bundle) as z:
        analysis = json.loads(z.read("session.json"))["analysis"]
        assert [s["id"] for s in analysis["scorecard"]["steps"]] == [s for s, _ in original.playbook_steps]


def _rewrite(bundle: Path, out: Path, change: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(bundle) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = change.get(name, src.read(name))
            if data is not None:
                dst.writestr(name, data)
    return out


def _damaged_bundles(bundle: Path, tmp: Path) -> dict[str, Path]:
    raw = bundle.read_bytes()
    with zipfile.ZipFile(bundle) as z:
        session = json.loads(z.read("session.json"))
        manifest = json.loads(z.read("manifest.json"))
    truncated = tmp / "truncated.ccsession"
    truncated.write_bytes(raw[: len(raw) // 2])
    flipped = tmp / "flipped.ccsession"
    data = bytearray(raw)
    data[len(data) // 3] ^= 0xFF  # one bit error inside the stored audio
    flipped.write_bytes(bytes(data))
    session["events"][3][2] = '{"id": "x"'
    bad_json = json.dumps(session).encode()
    manifest["files"]["session.json"] = hashlib.sha256(bad_json).hexdigest()
    return {
        "truncated": truncated,
        "flipped": flipped,
        "no manifest": _rewrite(bundle, tmp / "nomanifest.ccsession", {"manifest.json": None}),
        "no audio": _rewrite(bundle, tmp / "noaudio.ccsession", {"audio.ogg": None}),
        "tampered": _rewrite(bundle, tmp / "tampered.ccsession", {"session.json": b'{"session": {}}'}),
        "bad event": _rewrite(
            bundle,
            tmp / "badevent.ccsession",
            {"session.json": bad_json, "manifest.json": json.dumps(manifest).encode()},
        ),
    }


def test_damaged_bundles_are_rejected_and_leave_nothing(bundle: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    SessionStore(root).close()  # an empty, working store
    before = _store_contents(root)
    cases = _damaged_bundles(bundle, tmp_path)
    (tmp_path / "plain.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    cases["empty zip"] = tmp_path / "plain.zip"
    for why, path in cases.items():
        with SessionStore(root) as store, pytest.raises(StoreError, match="nothing was imported") as err:
            import_bundle(store, path)
        assert str(path) in str(err.value), why
        assert _store_contents(root) == before, why
    with SessionStore(root) as store:
        import_bundle(store, bundle)  # the good one still goes in afterwards
        assert len(store.sessions()) == 1


def test_a_failure_while_writing_rolls_everything_back(bundle: Path, tmp_path: Path) -> None:
    root = tmp_path / "store"
    with SessionStore(root) as store:
        # Another program holds the store's write lock for the whole import.
        other = sqlite3.connect(root / "sessions.db", isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError, match="locked"):
            import_bundle(SessionStore(root, busy_timeout_s=0.1), bundle)
        other.execute("ROLLBACK")
        other.close()
        assert store.sessions() == []
        assert list((root / "audio").iterdir()) == []
