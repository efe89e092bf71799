"""Fault loop: kill -9 at random moments, a disk that fills mid-call, a capture device that vanishes,
two copies of the app on one store.  The real command line, a real store, PulseAudio null sinks.

    nice -n 10 .venv/bin/python benchmarks/fault_loop.py --kills 50 --json faults.json

Kills alternate between a live call (``listen --store`` capturing a null sink's monitor
while the call plays into it) and ``analyze --store`` of the same call, each at a random
moment (``--seed``); after each, ``sessions recover`` runs as the next start would and
the store is judged: every line shown before the kill kept, the audio kept against the
call time at the kill, ``PRAGMA integrity_check``, the session marked recovered.  Then one
disk-full case (a 4 MB tmpfs, root only), one device-lost case and one two-copies case.
Each case is well under a minute.  Prints one line per case and the figures at the end.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import speech  # noqa: E402
from tests.audio.pulse import PulseServer  # noqa: E402
from tests.faults import drive  # noqa: E402


def kill_cases(pulse: PulseServer, wav: Path, call_s: float, analyze_s: float, n: int, rng: random.Random, work: Path):
    for i in range(n):
        case_dir = work / f"kill-{i:02d}"
        started = time.monotonic()
        try:
            if i % 2 == 0:
                case = drive.kill_live(pulse.env, wav, case_dir, rng.uniform(0.5, call_s))
            else:
                case = drive.kill_analyze(wav, case_dir, rng.uniform(0.0, analyze_s))
        except (RuntimeError, OSError) as exc:  # a case that could not be set up is counted, not hidden
            print(f"kill {i:2d}: could not run: {exc}", flush=True)
            yield {"kind": "live" if i % 2 == 0 else "analyze", "error": str(exc), "survived": False}
            continue
        row = asdict(case) | {"missing": case.missing, "survived": case.survived, "case_s": time.monotonic() - started}
        row.pop("recover_output")
        print(
            f"kill {i:2d} {case.kind:<7} at {case.at_s:5.1f} s  shown {len(case.shown):2d} kept {len(case.kept):2d} "
            f"missing {len(case.missing)}  audio kept {case.audio_s:5.1f} s lost {case.audio_lost_s:4.2f} s  "
            f"{case.state or '-':<9} {case.integrity or '-':<3} {'ok' if case.survived else 'FAILED'}  "
            f"({row['case_s']:.0f} s)",
            flush=True,
        )
        shutil.rmtree(case_dir, ignore_errors=True)
        yield row


def disk_full_case(pulse: PulseServer, wav: Path, call_s: float, work: Path) -> dict:
    mount = work / "disk"
    if not drive.mount_tmpfs(mount, "4m"):
        return {"skipped": "mounting a tmpfs needs root"}
    try:
        case = drive.disk_full_live(pulse.env, wav, mount, call_s + 3, 8.0, 18.0)
    finally:
        drive.unmount(mount)
    told = [line for line in case.stderr.splitlines() if "store" in line and "stored as" not in line]
    row = asdict(case) | {"missing": case.missing, "told_lines": len(told)}
    print(
        f"disk full at 8 s, room again at 18 s: exit {case.returncode}, {len(told)} line(s) about the store, "
        f"missing {len(case.missing)} of {len(case.shown)} lines, audio kept {case.audio_s:.1f} s, "
        f"{case.state}, integrity {case.integrity}",
        flush=True,
    )
    return row


def device_lost_case(pulse: PulseServer, wav: Path, work: Path) -> dict:
    case = drive.device_lost_live(pulse.env, wav, work / "device", 10.0)
    row = asdict(case) | {"missing": case.missing, "banner_lines": case.stderr.count("stopped delivering audio")}
    print(
        f"device lost at 10 s: exit {case.returncode}, {row['banner_lines']} banner line(s), reason '{case.reason}', "
        f"{case.state}, missing {len(case.missing)}; next call exit {case.next_returncode}, "
        f"{len(case.next_lines)} line(s), {case.next_state}",
        flush=True,
    )
    return row


def two_copies_case(pulse: PulseServer, wav: Path, call_s: float, work: Path) -> dict:
    import sqlite3

    store = work / "shared-store"
    env = drive.case_env(work / "two", pulse.env)
    first = drive.start_listen(env, store, call_s + 12, work / "two" / "ready-1")
    second = drive.start_listen(env, store, call_s + 4, work / "two" / "ready-2")
    player = pulse.play(wav)
    try:
        first.communicate(timeout=300)
        second.communicate(timeout=300)
    finally:
        player.kill()
        player.wait()
    err1, err2 = drive.errors(first), drive.errors(second)
    with drive.SessionStore(store) as s:
        states = sorted(x.state for x in s.sessions())
        lines = [x.utterances for x in s.sessions()]
    with sqlite3.connect(store / "sessions.db") as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    row = {
        "first_exit": first.returncode,
        "second_exit": second.returncode,
        "second_said_so": "also in use" in err2,
        "first_said_so": "also in use" in err1,
        "states": states,
        "utterances": lines,
        "integrity": integrity,
    }
    print(f"two copies: {row}", flush=True)
    return row


def time_analyze(wav: Path, case_dir: Path) -> float:
    """Seconds ``analyze --store`` runs on this call now, after its session appears (the kills' window)."""
    import subprocess

    store = case_dir / "store"
    proc = subprocess.Popen(
        [sys.executable, "-m", "companion", "analyze", str(wav), "--store", "--store-dir", str(store)],
        cwd=ROOT,
        env=drive.case_env(case_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while drive.committed(store, "SELECT COUNT(*) FROM sessions") < 1 and proc.poll() is None:
        time.sleep(0.02)
    started = time.monotonic()
    proc.wait(600)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=50, help="kill -9 cases, alternating live and analyze")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--skip-others", action="store_true", help="only the kills")
    parser.add_argument("--json", type=Path, help="write every case and the figures here")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    wav, turns = speech.synthesize_call(drive.KILL_SCRIPT, gap_s=0.8)
    call_s = turns[-1].end + 0.5
    work = Path(tempfile.mkdtemp(prefix="fault-loop-"))
    pulse = PulseServer(work / "pulse")
    pulse.start()
    out: dict = {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, 2-core, loaded by parallel work",
        "seed": args.seed,
    }
    try:
        # How long analyze --store takes on this machine now: kills fall anywhere in it.
        analyze_s = max(3.0, 0.8 * time_analyze(wav, work / "timing"))
        rows = list(kill_cases(pulse, wav, call_s, analyze_s, args.kills, rng, work))
        out["kills"] = rows
        ran = [r for r in rows if "error" not in r]
        lost = [r["audio_lost_s"] for r in ran]
        out["summary"] = {
            "kills": len(rows),
            "ran": len(ran),
            "survived": sum(r["survived"] for r in ran),
            "recovered": sum(r["state"] == "recovered" for r in ran),
            "integrity_ok": sum(r["integrity"] == "ok" for r in ran),
            "lines_shown": sum(len(r["shown"]) for r in ran),
            "lines_missing": sum(len(r["missing"]) for r in ran),
            "audio_lost_max_s": max(lost, default=0.0),
            "audio_lost_median_s": statistics.median(lost) if lost else 0.0,
            "audio_lost_live_max_s": max((r["audio_lost_s"] for r in ran if r["kind"] == "live"), default=0.0),
            "audio_lost_analyze_max_s": max((r["audio_lost_s"] for r in ran if r["kind"] == "analyze"), default=0.0),
            "analyze_window_s": analyze_s,
        }
        if not args.skip_others:
            out["disk_full"] = disk_full_case(pulse, wav, call_s, work)
            out["device_lost"] = device_lost_case(pulse, wav, work)
            out["two_copies"] = two_copies_case(pulse, wav, call_s, work)
    finally:
        pulse.kill()
        if args.json:
            args.json.write_text(json.dumps(out, indent=1, default=str))
    for key, value in out.get("summary", {}).items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")


if __name__ == "__main__":
    main()
