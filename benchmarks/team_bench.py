"""Team store figures on a local PostgreSQL 15: search, a lead's dashboard, opening a long call, sync, size.

    python benchmarks/team_bench.py [--sessions 100000] [--agents 200] [--teams 20] [--json OUT]

Starts its own cluster (initdb in a temporary folder, fsync on, unix socket and
127.0.0.1), sets it up with ``team init``, adds the agents and leads, and then:
- pushes ``--sync-sessions`` real finished sessions (5-minute calls with their
  events and audio) from a local store through ``team sync``: sessions/s, CPU-s
  per session, and the database's size per call minute of these full sessions;
- writes ``--sessions`` synthetic session rows (metadata, scorecard figures and a
  transcript of about 700 words for full-text search, no events or audio) across
  the agents and the last year, as the admin;
- as a lead's login (row-level security on): full-text search over the team's
  calls (median and slowest of several queries), the 90-day dashboard, and opening
  a one-hour call (its row, events and notes, and its audio streamed to a file).
Targets (issue 14): search <= 200 ms, dashboard <= 1 s, one-hour call <= 2 s, sync >= 20 sessions/s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import psutil
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from companion.audio.frames import SAMPLE_RATE, AudioBlock
from companion.events import CallEnded, CallStarted, Event, SentimentPoint, StepDone, Utterance
from companion.store.audio_file import AudioWriter
from companion.store.db import SessionStore, new_uid
from companion.store.records import SessionInfo
from companion.team import library
from companion.team.connection import connect
from companion.team.dashboard import dashboard
from companion.team.outbox import Outbox
from companion.team.sync import sync
from companion.team.users import add_user, init_database
from tests.team.pg_cluster import Cluster

PLAYBOOK = (("greet", "Greet"), ("empathize", "Acknowledge"), ("own", "Own it"), ("resolve", "Resolve"))
# Domain words first (they come up most), then filler: the synthetic transcripts draw low indices more often.
_WORD_TEXT = (
    "i you the to and a my is it that for this on with your have be can account bill charge refund "
    "router internet outage phone contract cancel engineer appointment payment card plan upgrade roaming "
    "data late fee credit sorry understand frustrating help today week month again still never waiting "
    "hours called twice wrong broken slow signal speed line technician replace device order delivery "
    "return address email manager complaint escalate supervisor number reference ticket password login "
    "app website store balance discount offer loyalty renewal price increase tariff bundle tv landline "
    "mobile sim unlock port transfer"
)
WORDS = tuple(_WORD_TEXT.split())
SEARCHES = (
    "refund",
    "router outage",
    "cancel contract",
    "engineer appointment",
    "roaming charge",
    "supervisor complaint",
    "loyalty discount",
    "sim unlock",
    "password login",
    "late fee refund",
)


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def server_cpu(data_dir: Path) -> float:
    """CPU seconds used so far by our cluster's server: its postmaster, the processes it runs now,
    and (in the postmaster's children times) the backends that have ended."""
    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            command = " ".join(proc.info["cmdline"] or ())
            if proc.info["name"] in ("postgres", "postmaster") and str(data_dir) in command:
                for p in (proc, *proc.children()):
                    t = p.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
    return total


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    best = float("inf")
    out = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def call_events(minutes: float, rng: random.Random) -> list[Event]:
    """A call of ``minutes``: alternating turns of about 12 words every 4 s, mood readings, steps."""
    events: list[Event] = [CallStarted(0.0, "bench", (("agent", "left"), ("customer", "right")), True)]
    t, i = 0.5, 0
    end = minutes * 60
    while t < end - 4:
        speaker = "agent" if i % 2 == 0 else "customer"
        text = " ".join(WORDS[min(len(WORDS) - 1, int(len(WORDS) * rng.random() ** 2))] for _ in range(12))
        events.append(Utterance(i, speaker, t, t + 3.5, text, segment=i))  # type: ignore[arg-type]
        if speaker == "customer":
            events.append(SentimentPoint(t + 3.6, "customer", rng.uniform(-1, 1), rng.uniform(-0.8, 0.8), i))
        if i in (0, 3, 9, 21):
            events.append(StepDone(t + 3.6, PLAYBOOK[(0, 3, 9, 21).index(i)][0], i, text))
        t += 4.0
        i += 1
    events.append(CallEnded(end))
    return events


def audio_file(path: Path, seconds: float) -> None:
    """Real Ogg Opus of ``seconds`` (two tones and noise), written block by block as a call would."""
    rng = np.random.default_rng(1)
    writer = AudioWriter(path, ("agent", "customer"))
    block = SAMPLE_RATE
    for a in range(0, int(seconds * SAMPLE_RATE), block):
        t = (a + np.arange(block)) / SAMPLE_RATE
        for k, speaker in enumerate(("agent", "customer")):
            pcm = 0.1 * np.sin(2 * np.pi * (200 + 90 * k) * t) + 0.02 * rng.standard_normal(block)
            writer.write(AudioBlock(speaker, a / SAMPLE_RATE, pcm.astype(np.float32)))  # type: ignore[arg-type]
    writer.close()


def local_store(root: Path, n: int, minutes: float, audio_bytes: Path | None, rng: random.Random) -> float:
    """A local store with ``n`` finished calls of ``minutes`` each; returns the call minutes."""
    with SessionStore(root) as store:
        for k in range(n):
            uid = new_uid()
            started = (datetime.now(UTC) - timedelta(hours=n - k)).isoformat(timespec="seconds")
            sid = store.create_session(SessionInfo(uid, started, agent="Bench", playbook_steps=PLAYBOOK))
            store.append_events(sid, list(enumerate(call_events(minutes, rng))))
            if audio_bytes is not None:
                path = store.audio_path(uid)
                shutil.copyfile(audio_bytes, path)
                store.set_audio(sid, path)
            store.finish_session(sid, minutes * 60)
    return n * minutes


def synthetic_rows(admin: psycopg.Connection, sessions: int, agents: list[tuple[str, int]]) -> float:
    """``sessions`` rows as the admin, spread over the agents and the last 365 days; returns seconds."""
    admin.execute("CREATE TEMP TABLE bench_agents (k int, login name, team_id int)")
    with admin.cursor().copy("COPY bench_agents FROM STDIN") as copy:
        for k, (login, team_id) in enumerate(agents):
            copy.write_row((k, login, team_id))
    t0 = time.perf_counter()
    batch = 10_000
    for start in range(0, sessions, batch):
        admin.execute(
            """
            INSERT INTO team.sessions (uid, agent_login, team_id, agent, title, started_at, duration, state,
                playbook_steps, sentiment_start, sentiment_min, sentiment_end, recovery, first_empathy_s, talk_ratio,
                steps_done, steps_missed, pitfalls, pitfall_kinds, alerts, utterances, transcript, checksum)
            SELECT md5(g::text || 'bench'), a.login, a.team_id, initcap(a.login), 'call ' || g,
                   now() - (random() * interval '365 days'), 60 + random() * 840, 'complete', %(steps)s::jsonb,
                   m.lo + 0.3, m.lo, m.lo + m.rec, m.rec, CASE WHEN random() < 0.8 THEN 5 + random() * 60 END,
                   0.3 + random() * 0.4,
                   CASE WHEN random() < 0.7 THEN '{greet,empathize,resolve}'::text[] ELSE '{greet,resolve}' END,
                   CASE WHEN random() < 0.7 THEN '{own}'::text[] ELSE '{empathize,own}' END,
                   floor(random() * 3)::int,
                   CASE WHEN random() < 0.3 THEN '{early-solution}'::text[] ELSE '{}' END,
                   floor(random() * 5)::int, 100,
                   -- about 700 words a call; the WHERE ties the sub-query to the row, so each call gets its own
                   to_tsvector('english', (SELECT string_agg((%(words)s::text[])[1 + floor(%(n)s * random() ^ 2)::int],
                                                             ' ')
                                           FROM generate_series(1, 700) w WHERE w > -g)),
                   'synthetic'
            FROM generate_series(%(a)s::int, %(b)s::int) g
            JOIN bench_agents a ON a.k = g %% %(agents)s
            CROSS JOIN LATERAL (SELECT -0.9 + random() * 0.6 + 0 * g AS lo, random() * 1.2 AS rec) m
            """,
            {
                "a": start,
                "b": min(sessions, start + batch) - 1,
                "agents": len(agents),
                "n": len(WORDS) - 1,
                "words": list(WORDS),
                "steps": json.dumps([list(p) for p in PLAYBOOK]),
            },
        )
        admin.commit()
        print(f"  ... {min(sessions, start + batch):,} synthetic sessions", file=sys.stderr, flush=True)
    admin.commit()
    admin.autocommit = True
    admin.execute("VACUUM ANALYZE team.sessions")
    admin.autocommit = False
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--sync-sessions", type=int, default=100)
    parser.add_argument("--json", dest="json_out", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(14)
    figures: dict[str, float] = {}
    root = Path(tempfile.mkdtemp(prefix="cc-team-bench-"))
    cluster = Cluster(root / "cluster", durable=True)
    cluster.start()
    try:
        with psycopg.connect(cluster.url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE team")
        admin_url = cluster.url("team")
        init_database(admin_url)
        per_team = args.agents // args.teams
        agent_urls: list[str] = []
        agents: list[tuple[str, int]] = []
        leads: list[str] = []
        for t in range(args.teams):
            leads.append(add_user(admin_url, f"lead{t:02d}", "lead", f"team{t:02d}"))
            for a in range(per_team):
                login = f"agent{t:02d}{a:02d}"
                agent_urls.append(add_user(admin_url, login, "agent", f"team{t:02d}"))
        with psycopg.connect(admin_url) as admin:
            ids = dict(admin.execute("SELECT name, id FROM team.teams").fetchall())
            agents = [(f"agent{t:02d}{a:02d}", ids[f"team{t:02d}"]) for t in range(args.teams) for a in range(per_team)]

        # 1. Sync: real 5-minute sessions with events and audio, from a local store, as one agent.
        ogg = root / "five-minutes.ogg"
        audio_file(ogg, 300)
        minutes = local_store(root / "store", args.sync_sessions, 5.0, ogg, rng)
        with SessionStore(root / "store") as store, Outbox(root / "store") as outbox:
            c0, s0, t0 = cpu(), server_cpu(cluster.data), time.perf_counter()
            report = sync(store, outbox, agent_urls[0])
            wall, used, served = time.perf_counter() - t0, cpu() - c0, server_cpu(cluster.data) - s0
        assert len(report.pushed) == args.sync_sessions, report.lines()[-1]
        figures["sync_sessions_per_s"] = args.sync_sessions / wall
        figures["sync_cpu_ms_per_session"] = 1000 * used / args.sync_sessions
        figures["sync_server_cpu_ms_per_session"] = 1000 * served / args.sync_sessions
        with psycopg.connect(admin_url) as admin:
            (size,) = admin.execute(
                "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                "WHERE c.relnamespace = 'team'::regnamespace AND c.relkind IN ('r', 'm')"
            ).fetchone()
            (audio,) = admin.execute("SELECT sum(length(data)) FROM team.audio_chunks").fetchone()
        size, audio = float(size), float(audio)
        figures["db_mb_per_call_minute"] = size / 1e6 / minutes
        figures["db_mb_per_call_minute_without_audio"] = (size - audio) / 1e6 / minutes

        # 2. The one-hour call, pushed the same way by another agent of team 0.
        long_ogg = root / "hour.ogg"
        audio_file(long_ogg, 3600)
        local_store(root / "hour", 1, 60.0, long_ogg, rng)
        with SessionStore(root / "hour") as store, Outbox(root / "hour") as outbox:
            (hour_uid,) = sync(store, outbox, agent_urls[1]).pushed

        # 3. The synthetic library.
        with psycopg.connect(admin_url) as admin:
            figures["synthetic_insert_s"] = synthetic_rows(admin, args.sessions, agents)
            (total,) = admin.execute("SELECT count(*) FROM team.sessions").fetchone()
        figures["sessions_in_db"] = float(total)

        # 4. A lead's reads, row-level security on.
        with connect(leads[0]) as conn:
            library.list_sessions(conn, library.TeamFilter(search="refund"))  # warm the cache once
            times = []
            hits = []
            for q in SEARCHES:
                took, rows = timed(lambda q=q: library.list_sessions(conn, library.TeamFilter(search=q)), 3)
                times.append(took)
                hits.append(len(rows))  # type: ignore[arg-type]
            figures["search_ms_median"] = 1000 * statistics.median(times)
            figures["search_ms_slowest"] = 1000 * max(times)
            figures["search_hits_median"] = float(statistics.median(hits))
            took, rows = timed(lambda: dashboard(conn, 90), 3)
            figures["dashboard_90d_ms"] = 1000 * took
            figures["dashboard_rows"] = float(len(rows))  # type: ignore[arg-type]

            def open_hour() -> int:
                session = library.load_session(conn, hour_uid)
                library.save_audio(conn, hour_uid, root / "hour-replay.ogg")
                return len(session.events)

            took, n = timed(open_hour, 3)
            figures["open_one_hour_call_s"] = took
            figures["one_hour_call_events"] = float(n)  # type: ignore[arg-type]
            figures["one_hour_call_audio_mb"] = (root / "hour-replay.ogg").stat().st_size / 1e6
        with connect(agent_urls[5]) as conn:  # an agent searches only its own calls
            took, _ = timed(lambda: library.list_sessions(conn, library.TeamFilter(search="router outage")), 3)
            figures["agent_search_ms"] = 1000 * took
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    for name, value in figures.items():
        print(f"{name}: {value:.3f}" if value < 1000 else f"{name}: {value:,.0f}")
    if args.json_out:
        args.json_out.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
