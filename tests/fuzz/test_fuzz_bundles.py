"""Hostile bundles: random bytes, cuts, flipped bytes, path-like names, mangled session data, zip bombs.

Whatever the file, ``import`` keeps the whole session or nothing (no row, no audio file, no half-written
part), says what is wrong in one line, and takes bounded time and memory.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import struct
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.analysis.state import fold
from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.errors import StoreError
from companion.events import CallEnded, CallStarted, Utterance
from companion.store.bundle import FORMAT, MEMBER_LIMITS, export_bundle, import_bundle
from companion.store.db import SessionStore
from companion.store.export import scorecard_html, to_json, to_srt, to_txt, to_vtt
from companion.store.recorder import RecorderSettings, SessionRecorder
from companion.store.session_data import load_session
from tests.fuzz.budget import cases
from tests.fuzz.cli_run import assert_clean, run_cli


class Bundle(bytes):
    """A bundle's bytes that print as their size (a failing case prints its inputs)."""

    def __repr__(self) -> str:
        return f"<bundle of {len(self)} bytes>"


@pytest.fixture(scope="module")
def real_bundle(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A bundle of a real recorded call: a second of tone each side, three lines, a note."""
    folder = tmp_path_factory.mktemp("bundle")
    recorder = SessionRecorder(folder / "store", RecorderSettings(title="tone", spool_dir=folder / "spool"))
    recorder.on_event(CallStarted(0.0, "test", (("agent", "left"), ("customer", "right")), False))
    tone = (0.2 * np.sin(np.arange(SAMPLE_RATE) * 2 * np.pi * 440 / SAMPLE_RATE)).astype(np.float32)
    for speaker in ("agent", "customer"):
        recorder.on_audio(AudioBlock(speaker, 0.0, tone))  # type: ignore[arg-type]
    recorder.on_event(Utterance(0, "agent", 0.1, 0.5, "Thank you for calling, this is Sam."))
    recorder.on_event(Utterance(1, "customer", 0.5, 0.8, "It is broken and I am upset."))
    recorder.on_event(Utterance(2, "agent", 0.8, 1.0, "I am so sorry, I understand how frustrating that is."))
    recorder.on_event(CallEnded(1.0))
    recorder.close()
    with SessionStore(folder / "store") as store:
        store.add_note(1, 0.5, "Lead", "fine")
        return Bundle(export_bundle(store, 1, folder / "call.ccsession").read_bytes())


_SCRATCH: dict[str, Any] = {}


@pytest.fixture(scope="module", autouse=True)
def _scratch() -> Iterator[None]:
    """One folder for every case's files (overwritten case after case) and one store, removed at the end.

    One store rather than a fresh one a case (that would cost most of the time): a case must leave it
    exactly as it found it, which is what is checked.
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-bundles-") as folder:
        _SCRATCH["folder"] = Path(folder)
        _SCRATCH["store"] = SessionStore(Path(folder) / "store")
        yield
        _SCRATCH["store"].close()
        _SCRATCH.clear()


def _store() -> SessionStore:
    return _SCRATCH["store"]  # type: ignore[no-any-return]


def _scratch_file(name: str) -> Path:
    return _SCRATCH["folder"] / name  # type: ignore[no-any-return]


def _contents(store: SessionStore) -> tuple[int, list[str]]:
    return len(store.sessions()), sorted(p.name for p in store.audio_dir.iterdir())


def _check(data: bytes, must_fail: bool = False) -> None:
    """Import ``data``: a whole, usable session (then removed again) or a one-line StoreError and no trace."""
    store = _store()
    before = _contents(store)
    bundle = _scratch_file("in.ccsession")
    bundle.write_bytes(data)
    try:
        result = import_bundle(store, bundle)
    except StoreError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600, str(exc)
        assert _contents(store) == before  # no row, no audio, no ".part" left behind
        return
    assert not must_fail, "a hostile bundle was imported"
    # An imported session can be replayed (folded), listed, exported and scored.
    session = load_session(store, result.session_id)
    fold(session.events)
    for make in (to_txt, to_srt, to_vtt, scorecard_html):
        make(session)
    json.dumps(to_json(session))
    store.sessions()
    store.delete_session(result.session_id)


def _members(bundle: bytes) -> dict[str, bytes]:
    read = _scratch_file("read.zip")
    read.write_bytes(bundle)
    with zipfile.ZipFile(read) as z:
        return {name: z.read(name) for name in z.namelist()}


def _zip(members: dict[str, bytes], manifest: dict[str, Any] | None = None) -> bytes:
    """A bundle of these members, with a manifest whose checksums match them (so only the content is on trial)."""
    made = _scratch_file("made.zip")
    if manifest is None:
        payload = json.loads(members["session.json"])
        manifest = {
            "format": FORMAT,
            "uid": payload["session"].get("uid")
            if isinstance(payload, dict) and isinstance(payload.get("session"), dict)
            else None,
            "files": {n: hashlib.sha256(d).hexdigest() for n, d in members.items() if n != "manifest.json"},
        }
    with zipfile.ZipFile(made, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", json.dumps(manifest))
        for name, data in members.items():
            if name != "manifest.json":
                z.writestr(name, data)
    return made.read_bytes()


@given(st.binary(max_size=2000))
def test_random_bytes_are_refused_and_leave_nothing(data: bytes) -> None:
    _check(data, must_fail=True)


@given(st.data())
def test_a_cut_or_damaged_bundle_is_whole_or_refused(real_bundle: bytes, data: st.DataObject) -> None:
    damaged = bytearray(real_bundle)
    how = data.draw(st.sampled_from(["cut", "flip", "zero"]))
    at = data.draw(st.integers(0, len(damaged) - 1))
    if how == "cut":
        damaged = damaged[:at]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 6))):
            i = data.draw(st.integers(0, len(damaged) - 1))
            damaged[i] ^= 1 << data.draw(st.integers(0, 7))
    else:
        damaged[at : at + data.draw(st.integers(1, 64))] = bytes(min(64, len(damaged) - at))
    _check(bytes(damaged))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
PATHLIKE = st.sampled_from(
    ["../../escaped", "/tmp/escaped", "..\\..\\escaped", "audio/../../x", "a" * 300, "", ".", "x\x00y", "con"]
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value, as the keys and indexes that reach it."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:6]):  # the first few of long lists are enough
            out += _paths(v, (*prefix, i))
    return out


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    target = root
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return root


@settings(max_examples=cases(60))
@given(st.data())
def test_mangled_session_data_is_whole_or_refused(real_bundle: bytes, data: st.DataObject) -> None:
    members = _members(real_bundle)
    payload = json.loads(members["session.json"])
    for _ in range(data.draw(st.integers(1, 3))):
        where = data.draw(st.sampled_from(_paths(payload)))
        value = data.draw(st.one_of(JSON_VALUES, PATHLIKE))
        payload = _set(copy.deepcopy(payload), where, value)
    members["session.json"] = json.dumps(payload).encode()
    _check(_zip(members))


@given(PATHLIKE, st.sampled_from(["uid", "member"]))
def test_path_like_names_never_reach_the_file_system(real_bundle: bytes, name: str, where: str) -> None:
    members = _members(real_bundle)
    if where == "uid":
        payload = json.loads(members["session.json"])
        payload["session"]["uid"] = name
        members["session.json"] = json.dumps(payload).encode()
    else:
        members[name or "empty"] = b"#!/bin/sh\necho owned\n"
    _check(_zip(members), must_fail=True)
    # Where "../../escaped", "/tmp/escaped" or "audio/../../x" as the audio's name would have landed.
    landed = [*_SCRATCH["folder"].rglob("*escaped*"), *Path("/tmp").glob("escaped*"), _SCRATCH["folder"] / "x.ogg"]
    assert not [p for p in landed if p.exists()]


def _bomb(folder: Path, name: str, size: int) -> Path:
    """A real zip bomb: ``size`` bytes of zeros deflated to a thousandth of that."""
    path = folder / f"bomb-{name}.ccsession"
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if name != "manifest.json":
            z.writestr("manifest.json", json.dumps({"format": FORMAT, "uid": "0" * 32, "files": {name: "0" * 64}}))
        with z.open(name, "w", force_zip64=True) as member:
            for _ in range(size // len(chunk)):
                member.write(chunk)
    return path


@pytest.mark.parametrize("member", ["session.json", "manifest.json"])
def test_a_zip_bomb_is_refused_quickly_and_without_memory(tmp_path: Path, member: str) -> None:
    size = MEMBER_LIMITS[member] + (8 << 20)
    bomb = _bomb(tmp_path, member, size)
    assert bomb.stat().st_size < size / 200
    rss = psutil.Process().memory_info().rss
    began = time.monotonic()
    run = run_cli("import", str(bomb), "--store-dir", str(tmp_path / "store"))
    took = time.monotonic() - began
    assert_clean(run, ok=(2,))
    assert "more than a bundle holds" in run.err and run.err.count("\n") == 1
    assert took < 5.0 and psutil.Process().memory_info().rss - rss < 64 << 20
    with SessionStore(tmp_path / "store") as store:
        assert _contents(store) == (0, [])


def test_a_member_that_lies_about_its_size_is_refused(real_bundle: bytes, tmp_path: Path) -> None:
    data = bytearray(real_bundle)
    # Each central-directory entry declares the inflated size at offset 24: claim 4 GB, then claim 10 bytes.
    entries = [i for i in range(len(data)) if data[i : i + 4] == b"PK\x01\x02"]
    assert entries
    for claim in (0xFFFFFFF0, 10):
        lied = bytearray(data)
        for at in entries:
            struct.pack_into("<I", lied, at + 24, claim)
        _check(bytes(lied), must_fail=True)


@settings(max_examples=cases(6))
@given(st.binary(min_size=1, max_size=400))
def test_the_command_line_refuses_a_bad_bundle_in_one_line(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        bundle = Path(d) / "call.ccsession"
        bundle.write_bytes(data)
        run = run_cli("import", str(bundle), "--store-dir", str(Path(d) / "store"))
        assert_clean(run, ok=(2,))
        assert run.err.count("\n") == 1 and os.listdir(Path(d) / "store" / "audio") == []
