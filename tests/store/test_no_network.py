"""No network connection during a call or a replay, audited at the system-call level.

The socket guard in conftest catches Python code; this catches native libraries
too (it found onnxruntime's telemetry lookups, now switched off in companion/__init__).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import speech

ROOT = Path(__file__).resolve().parents[2]
INET = re.compile(r"(connect|sendto|sendmsg|sendmmsg)\(.*AF_INET6?\b")


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_a_call_and_its_replay_touch_no_network(billing_wav: tuple[Path, list[speech.Turn]], tmp_path: Path) -> None:
    wav, _ = billing_wav
    store = tmp_path / "store"
    log = tmp_path / "trace"
    commands = [
        ["analyze", str(wav), "--store", "--store-dir", str(store), "--text"],
        ["export", "1", "--format", "json", "-o", str(tmp_path / "c.json"), "--store-dir", str(store)],
        ["export", "1", "--format", "bundle", "-o", str(tmp_path / "c.ccsession"), "--store-dir", str(store)],
    ]
    for i, args in enumerate(commands):
        out = log.with_suffix(f".{i}")
        done = subprocess.run(
            ["strace", "-f", "-e", "trace=network", "-o", str(out), sys.executable, "-m", "companion", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=240,
        )
        assert done.returncode == 0, done.stderr
        calls = [line for line in out.read_text().splitlines() if INET.search(line)]
        assert calls == [], f"{args[0]} used the network:\n" + "\n".join(calls[:5])
    assert (tmp_path / "c.json").stat().st_size > 0
