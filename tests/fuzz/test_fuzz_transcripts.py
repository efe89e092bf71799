"""Hostile and broken .txt transcripts: lines or one InputError; kept whole as a session or not kept at all."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from companion.analysis.transcript_text import read_transcript_lines
from companion.errors import InputError
from companion.store.db import SessionStore
from companion.store.session_data import load_session
from tests.fuzz.budget import cases
from tests.fuzz.cli_run import assert_clean, run_cli

WHO = ["Agent", "Customer", "agent", "CALLER", "Rep", "representative", "Bob", "", " Agent ", "Agent Customer"]
BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x1c", "\u2028", "\n\n", "\x85"]


@st.composite
def stamps(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return ""
    m, s = draw(st.integers(0, 999)), draw(st.integers(0, 99))
    body = draw(st.sampled_from([f"{m}:{s:02d}", f"{m % 100}:{s:02d}:{s:02d}", f"{m}:{s:02d}.{m}", f"{m}", "x:yy"]))
    return f"[{body}] "


@st.composite
def lines(draw: st.DrawFn) -> str:
    said = draw(st.text(max_size=60))
    return draw(stamps()) + draw(st.sampled_from(WHO)) + draw(st.sampled_from([": ", ":", " : ", " "])) + said


@st.composite
def transcripts(draw: st.DrawFn) -> bytes:
    body = "".join(draw(lines()) + draw(st.sampled_from(BREAKS)) for _ in range(draw(st.integers(0, 12))))
    data = body.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"])) + data
    if data and draw(st.integers(0, 9)) == 0:  # a byte that is not UTF-8, somewhere
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"])) + data[at:]
    return data


def _write(folder: Path, data: bytes) -> Path:
    path = folder / "call.txt"
    path.write_bytes(data)
    return path


@given(st.one_of(transcripts(), st.binary(max_size=300)))
def test_a_transcript_reads_as_lines_or_one_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        try:
            read = read_transcript_lines(_write(Path(d), data))
        except InputError as exc:
            assert "\n" not in str(exc), str(exc)
            return
    assert read
    for line in read:
        u = line.utterance
        assert u.speaker in ("agent", "customer", "call") and u.text.strip()
        assert math.isfinite(u.start) and math.isfinite(u.end) and 0 <= u.start <= u.end


@settings(max_examples=cases(8))
@given(transcripts())
def test_import_keeps_the_whole_transcript_or_nothing(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        call, store_dir = _write(Path(d), data), Path(d) / "store"
        try:
            expected = len(read_transcript_lines(call))
        except InputError:
            expected = 0
        run = run_cli("import", str(call), "--store-dir", str(store_dir))
        assert_clean(run)
        with SessionStore(store_dir) as store:
            kept = store.sessions()
            if run.code == 2:
                assert expected == 0 and kept == [] and run.err.count("\n") == 1
                return
            assert run.code == 0 and expected > 0 and len(kept) == 1
            session = load_session(store, kept[0].id)
            assert len(session.utterances) == expected and session.summary.audio is None
        # Everything that reads a session copes with what the file held.
        for fmt in ("txt", "srt", "vtt", "json", "html", "bundle"):
            out = Path(d) / f"out.{fmt}"
            assert_clean(
                run_cli("export", "1", "--format", fmt, "-o", str(out), "--store-dir", str(store_dir)), ok=(0,)
            )
