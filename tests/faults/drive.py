"""Drives the real app through faults: kill -9 mid-call, and the checks made after each.

Shared by the fault tests (one or two cases each) and ``benchmarks/fault_loop.py``
(fifty).  Every case runs the real command line in its own process against a
real store; the spool folder is the case's own (``TMPDIR``), so cases never see
each other's left-overs.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from companion.events import Utterance
from companion.store.audio_file import read_audio
from companion.store.db import DB_NAME, SessionStore

ROOT = Path(__file__).resolve().parents[2]
_LINE = re.compile(r"^\[\s*([\d.]+)\]\s+(agent|customer|call): (.*)$")

# Words only: the store redacts digits that look like card or phone numbers, and the
# kill check compares what was shown with what was kept, word for word.
KILL_SCRIPT = [
    ("agent", "Good morning, thank you for calling Lakeside Energy, this is Robin speaking."),
    ("customer", "Hello, my heating stopped working last night and the house is freezing."),
    ("agent", "I am sorry to hear that, let me check the account and the boiler service for you."),
    ("customer", "Please hurry, I have two small children at home and it is very cold."),
    ("agent", "I understand. I can book an engineer for this afternoon between one and five."),
    ("customer", "That would be wonderful, thank you so much for your help."),
    ("agent", "You are welcome. The engineer will call you before arriving."),
]


@dataclass
class KillCase:
    """What one kill -9 left behind, judged after recovery."""

    kind: str  # "live" or "analyze"
    at_s: float  # call time (live) or seconds into the run (analyze) of the kill
    read_s: float = 0.0  # analyze: audio the process had read at the kill
    finished: bool = False  # analyze: it had finished before the kill (the session is complete)
    shown: list[str] = field(default_factory=list)  # final lines the user had seen before the kill
    kept: list[str] = field(default_factory=list)  # utterances in the store after recovery
    audio_s: float = 0.0  # audio kept
    audio_lost_s: float = 0.0  # how much of the call before the kill has no audio kept
    state: str = ""  # the session's state after recovery
    integrity: str = ""  # PRAGMA integrity_check
    recover_output: str = ""
    sessions: int = 0

    @property
    def missing(self) -> list[str]:
        return missing_lines(self.shown, self.kept)

    @property
    def survived(self) -> bool:
        return (
            not self.missing
            and self.audio_lost_s <= 2.0
            and self.integrity == "ok"
            and (
                self.state == "recovered"
                or (self.finished and self.state == "complete")
                or (self.sessions == 0 and not self.shown)
            )
        )


def normal(text: str) -> str:
    return " ".join(text.lower().split())


def missing_lines(shown: list[str], kept: list[str]) -> list[str]:
    """Lines the user saw that the store did not keep (compared as normalised words)."""
    stored = {normal(t) for t in kept}
    return [t for t in shown if normal(t) not in stored]


def case_env(case_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a case's processes: its own temporary folder, so its own spool."""
    tmp = case_dir / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return {**(base or os.environ), "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"}


class LineReader:
    """Reads a child's stdout in a thread, stamping each final line with the wall time it arrived."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[tuple[float, str, str]] = []  # (wall time, speaker, text)
        self._proc = proc
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for raw in self._proc.stdout:
            m = _LINE.match(raw.rstrip("\n"))
            if m:
                self.lines.append((time.monotonic(), m.group(2), m.group(3)))

    def before(self, wall: float) -> list[str]:
        self._thread.join(2)
        return [text for at, _speaker, text in self.lines if at < wall]


def listen_store_command(store: Path, seconds: float, ready: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "companion",
        "listen",
        "--agent-device",
        "pulse",
        "--agent-channel",
        "left",
        "--store",
        "--store-dir",
        str(store),
        "--seconds",
        str(seconds),
        "--ready-file",
        str(ready),
    ]


def start_listen(env: dict[str, str], store: Path, seconds: float, ready: Path) -> subprocess.Popen[str]:
    """``listen --store`` started and capturing; its stderr goes to ``ready`` + ``.err`` (see ``errors``)."""
    err = open(ready.with_name(ready.name + ".err"), "w")  # noqa: SIM115 (the child holds it)
    proc = subprocess.Popen(
        listen_store_command(store, seconds, ready),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
    )
    err.close()
    proc.ready = ready  # type: ignore[attr-defined]
    deadline = time.monotonic() + 90
    while not ready.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"listen ended before capture started: {errors(proc)}")
        if time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("capture did not start")
        time.sleep(0.02)
    return proc


def errors(proc: subprocess.Popen[str]) -> str:
    """What a ``start_listen`` child wrote on stderr."""
    ready: Path = proc.ready  # type: ignore[attr-defined]
    return ready.with_name(ready.name + ".err").read_text()


def finish(proc: subprocess.Popen[str], timeout: float) -> str:
    """Wait for a ``start_listen`` child (its stdout is read by a LineReader); its stderr."""
    proc.wait(timeout)
    return errors(proc)


def stop(player: subprocess.Popen[bytes], proc: subprocess.Popen[str]) -> None:
    """End a case: the player always, the companion only if the case left it running."""
    player.kill()
    player.wait()
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def kill_live(pulse_env: dict[str, str], wav: Path, case_dir: Path, at_s: float) -> KillCase:
    """A live call recorded by ``listen --store``, killed ``at_s`` seconds into it, then recovered."""
    store = case_dir / "store"
    env = case_env(case_dir, pulse_env)
    ready = case_dir / "ready"
    proc = start_listen(env, store, 600, ready)
    started = time.monotonic()  # the first audio reached the pipeline about now (its first level)
    reader = LineReader(proc)
    player = subprocess.Popen(["paplay", "--device=call", str(wav)], env=env)
    try:
        delay = started + at_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        killed = time.monotonic()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        stop(player, proc)
    case = KillCase("live", killed - started, shown=reader.before(killed))
    return judge(case, store, env)


def kill_analyze(wav: Path, case_dir: Path, at_s: float) -> KillCase:
    """``analyze --store`` killed ``at_s`` seconds after its session appeared in the store, then recovered."""
    store = case_dir / "store"
    env = case_env(case_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.analyze_probe", "analyze", str(wav), "--store", "--store-dir", str(store)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    position = [0.0]

    def follow() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("read "):
                position[0] = float(line.split()[1])

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while committed(store, "SELECT COUNT(*) FROM sessions") < 1:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"analyze did not start a session: {proc.communicate()}")
            time.sleep(0.02)
        started = time.monotonic()
        time.sleep(at_s)
        # What the user could have seen by now: the utterances already committed.
        shown = [r[0] for r in rows(store, "SELECT text FROM utterances")]
        finished = proc.poll() is not None  # the file was done before the plug was pulled
        killed = time.monotonic()
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    reader.join(2)
    case = KillCase("analyze", killed - started, shown=shown, read_s=position[0], finished=finished)
    return judge(case, store, env)


def committed(store: Path, sql: str) -> int:
    result = rows(store, sql)
    return int(result[0][0]) if result else 0


def rows(store: Path, sql: str) -> list[tuple]:
    db = store / DB_NAME
    if not db.exists():
        return []
    try:
        with sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []  # the schema is being made


def judge(case: KillCase, store: Path, env: dict[str, str]) -> KillCase:
    """Recover as the next start would (the real command), then look at what the store holds."""
    result = subprocess.run(
        [sys.executable, "-m", "companion", "sessions", "recover", "--store-dir", str(store)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    case.recover_output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or not (store / DB_NAME).exists():
        return case
    with SessionStore(store) as s:
        sessions = s.sessions()
        case.sessions = len(sessions)
        case.integrity = str(s._query("PRAGMA integrity_check")[0][0])
        if not sessions:
            case.audio_lost_s = 0.0 if case.kind == "analyze" else case.at_s
            return case
        summary = sessions[0]
        case.state = summary.state
        events = s.events(summary.id)
    case.kept = [e.text for e in events if isinstance(e, Utterance)]
    if summary.audio is not None and summary.audio.exists():
        case.audio_s = read_audio(summary.audio).shape[1] / 16_000
    if case.kind == "live":
        case.audio_lost_s = max(0.0, case.at_s - case.audio_s)
    else:
        # Where the file had been read to when the plug was pulled (the probe's last line).
        case.audio_lost_s = max(0.0, case.read_s - case.audio_s)
    return case


@dataclass
class DiskFullCase:
    """A live call whose store's disk fills at ``full_at`` and has room again at ``back_at``."""

    full_at: float
    back_at: float
    returncode: int | None = None
    stderr: str = ""
    shown: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    audio_s: float = 0.0
    state: str = ""
    integrity: str = ""
    store_lines: list[str] = field(default_factory=list)  # what the user was told about the store

    @property
    def missing(self) -> list[str]:
        return missing_lines(self.shown, self.kept)


def mount_tmpfs(folder: Path, size: str = "4m") -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return result.returncode == 0


def unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder: Path) -> Path:
    """Write a filler file until the disk holding ``folder`` is full."""
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (65536, 4096, 512, 1):  # down to the last crumbs
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


def disk_full_live(
    pulse_env: dict[str, str], wav: Path, mount: Path, call_s: float, full_at: float, back_at: float
) -> DiskFullCase:
    """``listen --store`` on a small tmpfs that fills mid-call and empties again before the call ends."""
    store = mount / "store"
    env = case_env(mount.parent / f"{mount.name}-env", pulse_env)
    ready = mount.parent / f"{mount.name}-ready"
    proc = start_listen(env, store, call_s, ready)
    started = time.monotonic()
    reader = LineReader(proc)
    player = subprocess.Popen(["paplay", "--device=call", str(wav)], env=env)
    case = DiskFullCase(full_at, back_at)
    try:
        time.sleep(max(0.0, started + full_at - time.monotonic()))
        filler = fill(mount)
        case.shown = reader.before(time.monotonic())
        time.sleep(max(0.0, started + back_at - time.monotonic()))
        filler.unlink()
        err = finish(proc, call_s + 120)
    finally:
        stop(player, proc)
    case.returncode = proc.returncode
    case.stderr = err
    case.store_lines = [line for line in err.splitlines() if "store" in line or "saved" in line]
    case.shown = [text for _at, _speaker, text in reader.lines]  # space came back: every line must be kept
    with SessionStore(store) as s:
        case.integrity = str(s._query("PRAGMA integrity_check")[0][0])
        (summary,) = s.sessions()
        case.state = summary.state
        case.kept = [e.text for e in s.events(summary.id) if isinstance(e, Utterance)]
        if summary.audio is not None and summary.audio.exists():
            case.audio_s = read_audio(summary.audio).shape[1] / 16_000
    return case


@dataclass
class DeviceLostCase:
    """A live call whose capture device is unloaded mid-call, then a call after it comes back."""

    lost_at: float
    returncode: int | None = None
    stderr: str = ""
    shown: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    reason: str = ""  # CallEnded.reason stored for the first call
    state: str = ""
    next_returncode: int | None = None
    next_stderr: str = ""
    next_lines: list[str] = field(default_factory=list)
    next_state: str = ""
    sessions: int = 0

    @property
    def missing(self) -> list[str]:
        return missing_lines(self.shown, self.kept)


def sink_module(env: dict[str, str], sink: str = "call") -> str | None:
    out = subprocess.run(["pactl", "list", "short", "modules"], env=env, capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1] == "module-null-sink" and f"sink_name={sink}" in parts[2]:
            return parts[0]
    return None


def device_lost_live(pulse_env: dict[str, str], wav: Path, case_dir: Path, lost_at: float) -> DeviceLostCase:
    """Unload the null sink the call is captured from, load it again, and make the next call."""
    store = case_dir / "store"
    env = case_env(case_dir, pulse_env)
    case = DeviceLostCase(lost_at)
    # PulseAudio 16 moves a capture whose source goes away to another source, if there is one
    # (the app then records that one, unaware): the call's sink is made the only one.
    others = [m for m in (sink_module(env, "agent_line"), sink_module(env, "customer_line")) if m is not None]
    for module in others:
        subprocess.run(["pactl", "unload-module", module], env=env, check=True)
    try:
        _lose_device(case, env, store, wav, case_dir)
    finally:
        for sink in ("agent_line", "customer_line"):
            if sink_module(env, sink) is None:
                load_sink(env, sink)
    return case


def load_sink(env: dict[str, str], sink: str) -> None:
    subprocess.run(
        ["pactl", "load-module", "module-null-sink", f"sink_name={sink}"], env=env, check=True, capture_output=True
    )


def _lose_device(case: DeviceLostCase, env: dict[str, str], store: Path, wav: Path, case_dir: Path) -> None:
    lost_at = case.lost_at
    proc = start_listen(env, store, 600, case_dir / "ready")
    started = time.monotonic()
    reader = LineReader(proc)
    player = subprocess.Popen(["paplay", "--device=call", str(wav)], env=env)
    try:
        time.sleep(max(0.0, started + lost_at - time.monotonic()))
        module = sink_module(env)
        assert module is not None, "the null sink is not loaded"
        subprocess.run(["pactl", "unload-module", module], env=env, check=True)
        case.stderr = finish(proc, 120)
    finally:
        stop(player, proc)
        if sink_module(env) is None:
            load_sink(env, "call")
    case.returncode = proc.returncode
    case.shown = [text for _at, _speaker, text in reader.lines]
    # The device is back: the next call starts and is kept.
    nxt = start_listen(env, store, 14, case_dir / "ready-next")
    next_reader = LineReader(nxt)
    player = subprocess.Popen(["paplay", "--device=call", str(wav)], env=env)
    try:
        case.next_stderr = finish(nxt, 120)
    finally:
        player.kill()
        player.wait()
    case.next_returncode = nxt.returncode
    case.next_lines = [text for _at, _speaker, text in next_reader.lines]
    from companion.events import CallEnded

    with SessionStore(store) as s:
        sessions = sorted(s.sessions(), key=lambda x: x.id)
        case.sessions = len(sessions)
        first = sessions[0]
        case.state = first.state
        events = s.events(first.id)
        case.kept = [e.text for e in events if isinstance(e, Utterance)]
        ended = [e for e in events if isinstance(e, CallEnded)]
        case.reason = ended[-1].reason if ended else ""
        if len(sessions) > 1:
            case.next_state = sessions[1].state
