"""At start: finish the sessions a crash left open, and save what waited in the spool.

A session still marked ``recording`` whose lock no living process holds was
cut off (the app killed, the machine lost power).  Everything committed before
the crash is already in the store; its audio file is cut off mid-page, so it
is rewritten clean up to its last whole page (at most about a second before
the crash, as the recorder flushes every second).  The session is marked
``recovered`` with a note saying what happened, and the caller shows that note.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from companion.errors import StoreError
from companion.events import CallEnded
from companion.store import event_codec
from companion.store.audio_file import audio_seconds, repair
from companion.store.db import SessionStore
from companion.store.private_files import write_private_bytes
from companion.store.records import SessionInfo
from companion.store.rows import insert_events, insert_session
from companion.store.session_lock import is_abandoned

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecoveredSession:
    session_id: int
    uid: str
    utterances: int
    audio_s: float
    message: str


def recover(store: SessionStore, spool_dir: Path | None = None) -> list[RecoveredSession]:
    """Recover every abandoned session and spooled call; return what was recovered, to tell the user."""
    recovered = []
    if spool_dir is not None:
        recovered.extend(import_spool(store, spool_dir))
    for summary in store.open_sessions():
        lock = store.audio_dir / f"{summary.uid}.lock"
        if summary.audio is not None:
            lock = summary.audio.with_suffix(".lock")
        if not is_abandoned(lock):
            continue  # a call being recorded right now by another window
        try:
            recovered.append(_finalize(store, summary.id))
        except StoreError as exc:  # one bad session must not keep the others unrecovered
            log.warning("session %s could not be recovered: %s", summary.uid, exc)
            continue
        lock.unlink(missing_ok=True)
    return recovered


def _finalize(store: SessionStore, session_id: int) -> RecoveredSession:
    summary = store.session(session_id)
    events = store.events(session_id)
    speakers = [s for s, _ in summary.channels]
    audio_s = 0.0
    if summary.audio is not None and summary.audio.exists():
        try:
            audio_s = repair(summary.audio, speakers)
        except StoreError as exc:
            log.warning("the audio of session %s could not be repaired: %s", summary.uid, exc)
        if audio_s == 0.0:
            # Killed before the first page reached the disk: keep no file that cannot play.
            summary.audio.unlink(missing_ok=True)
            store.set_audio(session_id, None)
    last_t = max((e.t for e in events), default=0.0)
    duration = round(max(last_t, audio_s), 3)
    if not any(isinstance(e, CallEnded) for e in events):
        store.append_events(session_id, [(store.next_seq(session_id), CallEnded(duration, "interrupted"))])
    utterances = sum(1 for e in events if type(e).__name__ == "Utterance")
    message = (
        f"The call started {summary.started_at} was cut off (the app closed unexpectedly). "
        f"It was recovered with {utterances} utterances and {_clock(audio_s)} of audio."
    )
    store.finish_session(session_id, duration, "recovered", message)
    log.info("%s", message)  # the caller shows it (status bar, or one line on the command line)
    return RecoveredSession(session_id, summary.uid, utterances, audio_s, message)


def import_spool(store: SessionStore, spool_dir: Path) -> list[RecoveredSession]:
    """Save the calls that waited in spool files because the store could not be written."""
    out = []
    if not spool_dir.is_dir():
        return out
    for path in sorted(spool_dir.glob("*.jsonl")):
        try:
            out.append(_import_spool_file(store, path))
        except (StoreError, OSError, ValueError, KeyError) as exc:
            log.warning("the spooled call %s could not be saved yet: %s", path, exc)
    return out


def _import_spool_file(store: SessionStore, path: Path) -> RecoveredSession:
    header: dict | None = None
    items = []
    ended: float | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            break  # a line cut off by the crash: everything before it counts
        if "session" in row:
            header = row
        elif "ended" in row:
            ended = float(row["ended"])
        else:
            items.append((int(row["seq"]), event_codec.decode(row["type"], row["data"])))
    if header is None:
        raise StoreError(f"{path} has no session header")
    info_data = header["session"]
    info = SessionInfo(
        **{
            **info_data,
            "channels": tuple(tuple(c) for c in info_data["channels"]),
            "playbook_steps": tuple(tuple(s) for s in info_data["playbook_steps"]),
        }
    )
    audio = Path(header["audio"]) if header.get("audio") else None
    target = store.audio_path(info.uid)
    with store.transaction() as conn:
        session_id = store.find_uid(info.uid) or insert_session(conn, info)
        insert_events(conn, session_id, items)
    if audio is not None and audio.exists() and audio != target:
        os.replace(audio, target) if audio.stat().st_dev == target.parent.stat().st_dev else _copy(audio, target)
        audio.with_suffix(".lock").unlink(missing_ok=True)
    if target.exists():
        store.set_audio(session_id, target)
    audio_s = 0.0
    if target.exists():
        try:
            audio_s = audio_seconds(target)
        except StoreError as exc:  # the transcript is worth saving even if the sound is not
            log.warning("the spooled call's audio cannot be read: %s", exc)
    duration = ended if ended is not None else max([audio_s, *(e.t for _, e in items)])
    note = "" if ended is not None else "The call was cut off; it was saved from the spool file."
    store.finish_session(session_id, duration, "complete" if ended is not None else "recovered", note)
    path.unlink()
    n = sum(1 for _, e in items if type(e).__name__ == "Utterance")
    message = f"A call the store could not take at the time (started {info.started_at}) is now saved."
    return RecoveredSession(session_id, info.uid, n, audio_s, message)


def _copy(src: Path, dst: Path) -> None:
    tmp = dst.with_name(dst.name + ".part")
    write_private_bytes(tmp, src.read_bytes())
    os.replace(tmp, dst)
    src.unlink()


def _clock(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"
