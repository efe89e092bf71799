"""Real live capture: PortAudio records a PulseAudio monitor source while a call plays into it.

Runs ``call-companion listen`` in its own process (PortAudio reads the sound
server's address when it starts), plays a synthesized call into null sinks,
and checks the transcript. Not skipped when PulseAudio is missing: that is a
set-up failure here, since this is how a Linux agent captures a softphone.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import speech
from tests.audio.pulse import PulseServer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = [
    ("agent", "Good afternoon, thank you for calling City Water, how can I help?"),
    ("customer", "Hi, my water bill doubled this month and I do not understand why."),
    ("agent", "I can look into that for you right away."),
]


@pytest.fixture(scope="module")
def call(espeak: None) -> tuple[Path, list[speech.Turn]]:
    return speech.synthesize_call(SCRIPT, gap_s=0.8)


def listen(pulse: PulseServer, tmp: Path, *device_args: str, seconds: float) -> subprocess.Popen[str]:
    ready = tmp / "ready"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "companion",
            "listen",
            *device_args,
            "--seconds",
            str(seconds),
            "--json",
            str(tmp / "live.json"),
            "--ready-file",
            str(ready),
        ],
        cwd=ROOT,
        env=pulse.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "capture did not start"
        time.sleep(0.05)
    return proc


def check_transcript(report: dict, turns: list[speech.Turn]) -> None:
    said = {
        "agent": " ".join(u["text"] for u in report["utterances"] if u["speaker"] == "agent"),
        "customer": " ".join(u["text"] for u in report["utterances"] if u["speaker"] == "customer"),
    }
    for speaker in ("agent", "customer"):
        truth = " ".join(t.text for t in turns if t.speaker == speaker)
        assert speech.word_error_rate(truth, said[speaker]) <= 0.25, (speaker, said[speaker])
    # Live text carries the call time at which it was shown, after the words were spoken.
    for u in report["utterances"]:
        assert u["emitted"] is not None and u["emitted"] >= u["end"]


def test_stereo_device_with_channel_map(pulse: PulseServer, call, tmp_path: Path) -> None:
    wav, turns = call
    duration = turns[-1].end + 0.5
    proc = listen(pulse, tmp_path, "--agent-device", "pulse", "--agent-channel", "left", seconds=duration + 6)
    time.sleep(3)  # the server's first buffers take a moment; the call has not begun yet
    pulse.play(wav).wait(timeout=60)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    report = json.loads((tmp_path / "live.json").read_text())
    assert report["channels"]["agent"] == "pulse (left)"
    check_transcript(report, turns)
    assert "Good afternoon" in out  # lines are printed while the call goes on


def test_two_devices_one_per_speaker(pulse: PulseServer, call, tmp_path: Path) -> None:
    wav, turns = call
    duration = turns[-1].end + 0.5
    proc = listen(
        pulse,
        tmp_path,
        "--agent-device",
        "agent_line",
        "--customer-device",
        "customer_line",
        seconds=duration + 6,
    )
    time.sleep(3)
    players = [pulse.play(wav, "agent_line", channel=0), pulse.play(wav, "customer_line", channel=1)]
    for player in players:
        player.wait(timeout=60)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    report = json.loads((tmp_path / "live.json").read_text())
    assert report["channels"] == {"agent": "agent_line", "customer": "customer_line"}
    check_transcript(report, turns)


def test_device_vanishing_mid_call_keeps_the_call(tmp_path: Path, call) -> None:
    server = PulseServer(tmp_path / "pulse")
    server.start()
    wav, turns = call
    try:
        proc = listen(server, tmp_path, "--agent-device", "pulse", "--agent-channel", "left", seconds=60)
        time.sleep(3)
        player = server.play(wav)
        # Pull the plug once the agent's first line has been said.
        time.sleep(turns[0].end + 1.5)
        server.kill()
        player.wait(timeout=30)
        _out, err = proc.communicate(timeout=60)
    finally:
        server.kill()
    assert proc.returncode == 2
    assert "stopped delivering audio" in err and "Traceback" not in err
    report = json.loads((tmp_path / "live.json").read_text())
    agent = " ".join(u["text"] for u in report["utterances"] if u["speaker"] == "agent")
    assert speech.word_error_rate(turns[0].text, agent) <= 0.3, agent


def test_unknown_device_is_a_clear_error(pulse: PulseServer, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "companion", "listen", "--agent-device", "no such headset", "--seconds", "1"],
        cwd=ROOT,
        env=pulse.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "input device 'no such headset' was not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_portaudio_is_a_clear_error(tmp_path: Path) -> None:
    # Hide the library the way a machine without libportaudio2 would: sounddevice finds nothing.
    shim = tmp_path / "sitecustomize.py"
    shim.write_text(
        "import ctypes.util\n_find = ctypes.util.find_library\n"
        "ctypes.util.find_library = lambda name: None if 'portaudio' in name else _find(name)\n"
    )
    env = {**PulseServer(tmp_path / "p").env, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "companion", "devices"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "apt-get install libportaudio2" in result.stderr
    assert "Traceback" not in result.stderr
