"""Recordings at the edges: --realtime with --store, and files of more than two channels (real speech, real model)."""

from __future__ import annotations

import json
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from companion.cli import main
from companion.events import CallStarted
from companion.store.db import SessionStore
from tests import speech

TURNS = [
    ("agent", "Thank you for calling, this is Sam."),
    ("customer", "My parcel never arrived."),
]


@pytest.fixture(autouse=True)
def _private_data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))


@pytest.fixture(scope="module")
def short_call(espeak: None) -> Path:
    wav, _turns = speech.synthesize_call(TURNS)
    return wav


def _seconds(wav: Path) -> float:
    with wave.open(str(wav)) as w:
        return w.getnframes() / w.getframerate()


def _four_channels(stereo: Path, out: Path) -> Path:
    """Agent on channel 1, customer on channel 3, channels 2 and 4 silent: a recorder that wrote every line."""
    with wave.open(str(stereo)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    quad = np.zeros((len(pcm), 4), dtype=np.int16)
    quad[:, 0], quad[:, 2] = pcm[:, 0], pcm[:, 1]
    speech.write_wav(out, quad)
    return out


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_realtime_is_honoured_with_store(short_call: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store_dir = tmp_path / "store"
    began = time.monotonic()
    code, _, err = _run(capsys, "analyze", str(short_call), "--realtime", "--store", "--store-dir", str(store_dir))
    wall = time.monotonic() - began
    assert code == 0, err
    length = _seconds(short_call)
    assert wall >= length - 0.3, f"a {length:.1f} s call was stored in {wall:.1f} s: not at real-time pace"
    with SessionStore(store_dir) as store:
        started = next(e for e in store.events(1) if isinstance(e, CallStarted))
    assert started.realtime


def test_a_four_channel_file_says_which_channels_it_used(
    short_call: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quad = _four_channels(short_call, tmp_path / "quad.wav")
    code, out, err = _run(capsys, "analyze", str(quad))
    assert code == 0
    lines = [line for line in err.splitlines() if "channels" in line]
    assert lines == [
        f"call-companion: {quad} has 4 channels; using channel 1 as the agent and 2 as the customer "
        "(choose others with --channels A,C)"
    ]
    said = json.loads(out)["utterances"]
    assert said and {u["speaker"] for u in said} == {"agent"}  # channel 2 is silent


def test_channels_picks_the_agent_and_the_customer(
    short_call: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    quad = _four_channels(short_call, tmp_path / "quad.wav")
    code, out, err = _run(capsys, "analyze", str(quad), "--channels", "1,3")
    assert code == 0 and "channels" not in err, err
    said = json.loads(out)["utterances"]
    customer = " ".join(u["text"] for u in said if u["speaker"] == "customer").lower()
    agent = " ".join(u["text"] for u in said if u["speaker"] == "agent").lower()
    assert "parcel" in customer and "calling" in agent
    # The same with --store: the session says which channels were whose.
    code, _, err = _run(capsys, "import", str(quad), "--channels", "3,1", "--store-dir", str(tmp_path / "s"))
    assert code == 0, err
    with SessionStore(tmp_path / "s") as store:
        started = next(e for e in store.events(1) if isinstance(e, CallStarted))
        assert started.channels == (("agent", "channel 3"), ("customer", "channel 1"))
        assert "parcel" in " ".join(u.text for u in store.search("parcel") if u.speaker == "agent").lower()


@pytest.mark.parametrize(
    ("pick", "problem"),
    [
        ("1,5", "has 4 channels; there is no channel 5"),
        ("2,2", "need different channels"),
        ("0,1", "two channel numbers from 1"),
        ("a,b", "two channel numbers from 1"),
        ("1,2,3", "two channel numbers from 1"),
    ],
)
def test_a_bad_channel_pick_is_one_line(
    short_call: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], pick: str, problem: str
) -> None:
    quad = _four_channels(short_call, tmp_path / "quad.wav")
    code, out, err = _run(capsys, "analyze", str(quad), "--channels", pick)
    assert code == 2 and out == "" and err.count("\n") == 1 and problem in err, err
