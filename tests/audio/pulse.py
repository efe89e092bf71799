"""A private PulseAudio server with null sinks: how a Linux agent's softphone audio is captured.

The test plays a call into a null sink and the app records the sink's monitor
source through PortAudio (ALSA's pulse plugin), exactly as it would record a
softphone.  Each server gets its own runtime directory, so tests never touch
a real user's sound server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

ASOUNDRC = """
pcm.agent_line {{ type pulse; device "agent_line.monitor"; hint {{ show on; description "Agent line" }} }}
pcm.customer_line {{ type pulse; device "customer_line.monitor"; hint {{ show on; description "Customer line" }} }}
"""


class PulseServer:
    """A running PulseAudio daemon and the environment a process needs to reach it."""

    def __init__(self, runtime: Path) -> None:
        self.runtime = runtime
        home = runtime / "home"
        home.mkdir(parents=True, exist_ok=True)
        (home / ".asoundrc").write_text(ASOUNDRC.format())
        self.env = {
            **os.environ,
            "XDG_RUNTIME_DIR": str(runtime),
            "HOME": str(home),
            "PULSE_SOURCE": "call.monitor",
        }
        self.env.pop("PULSE_SERVER", None)

    def start(self) -> None:
        sinks = [f"--load=module-null-sink sink_name={name}" for name in ("call", "agent_line", "customer_line")]
        subprocess.run(
            ["pulseaudio", "-D", "--exit-idle-time=-1", "-n", "--load=module-native-protocol-unix", *sinks],
            env=self.env,
            check=True,
            capture_output=True,
            timeout=30,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if subprocess.run(["pactl", "info"], env=self.env, capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("PulseAudio did not come up")

    def kill(self) -> None:
        subprocess.run(["pulseaudio", "--kill"], env=self.env, capture_output=True, timeout=30)

    def play(self, wav: Path, sink: str = "call", channel: int | None = None) -> subprocess.Popen[bytes]:
        """Play a WAV into a sink (one channel of it, downmixed to mono, if asked)."""
        if channel is None:
            return subprocess.Popen(["paplay", f"--device={sink}", str(wav)], env=self.env)
        mono = wav.with_name(f"{wav.stem}.ch{channel}.wav")
        subprocess.run(["sox", "-R", str(wav), str(mono), "remix", str(channel + 1)], check=True)
        return subprocess.Popen(["paplay", f"--device={sink}", str(mono)], env=self.env)


def available() -> bool:
    return all(shutil.which(tool) for tool in ("pulseaudio", "pactl", "paplay", "sox"))
