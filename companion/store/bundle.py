"""One file that carries a session to another machine: audio, transcript, analysis and notes.

A bundle (``.ccsession``) is a zip with ``manifest.json`` (format, session
uid, SHA-256 of every member), ``session.json`` (the session, every event,
the notes, and the analysis for readers without the app) and ``audio.ogg``.
Import checks everything before touching the store, then writes the session
in one transaction, so a damaged bundle leaves nothing behind; a bundle whose
session is already in the store is recognised by its uid and not added twice.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from companion.errors import StoreError
from companion.store import event_codec
from companion.store.db import SessionStore
from companion.store.export import to_json
from companion.store.private_files import private_file, write_private_bytes
from companion.store.records import Note, SessionInfo
from companion.store.rows import insert_events, insert_note, insert_session, refresh_summary
from companion.store.session_data import load_session

FORMAT = "call-companion/bundle@1"
SUFFIX = ".ccsession"
# The members a bundle may hold and the most each may inflate to.  Audio is ~0.2 MB a call minute
# (a 24-hour call is under 300 MB); a session's events are a few MB even for a long, busy call.
MEMBER_LIMITS = {"manifest.json": 1 << 20, "session.json": 256 << 20, "audio.ogg": 1 << 30}
STATES = ("complete", "recovered", "recording")
UID = re.compile(r"[0-9a-f]{32}")
MAX_SEQ = 1 << 62


@dataclass(frozen=True, slots=True)
class ImportResult:
    session_id: int
    uid: str
    duplicate: bool
    message: str


def export_bundle(store: SessionStore, ref: int | str, out: Path, redact: bool = True) -> Path:
    session = load_session(store, ref, redact=redact)
    s = session.summary
    payload = {
        "session": {
            "uid": s.uid,
            "started_at": s.started_at,
            "agent": s.agent,
            "title": s.title,
            "source": s.source,
            "channels": [list(c) for c in s.channels],
            "playbook_steps": [list(p) for p in s.playbook_steps],
            "redacted": s.redacted or redact,
            "duration": s.duration,
            "state": s.state,
            "note": s.note,
        },
        "events": [[i, *event_codec.encode(e)] for i, e in enumerate(session.events)],
        "notes": [
            {
                "uid": n.uid,
                "t": n.t,
                "author": n.author,
                "text": n.text,
                "kind": n.kind,
                "created_at": n.created_at,
            }
            for n in session.notes
        ],
        "analysis": to_json(session),
    }
    members: dict[str, bytes] = {"session.json": json.dumps(payload, ensure_ascii=False).encode("utf-8")}
    if s.audio is not None and s.audio.exists():
        members["audio.ogg"] = s.audio.read_bytes()
    manifest = {
        "format": FORMAT,
        "uid": s.uid,
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    tmp = out.with_name(out.name + ".part")
    try:
        # Owner-only like the store it comes from: it holds the whole call.
        with zipfile.ZipFile(private_file(tmp), "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=1))
            for name, data in members.items():
                # Opus is already compressed; deflating it again only costs time.
                kind = zipfile.ZIP_STORED if name.endswith(".ogg") else zipfile.ZIP_DEFLATED
                z.writestr(name, data, compress_type=kind)
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write the bundle {out}: {exc.strerror or exc}") from exc
    return out


def _damaged(path: Path, why: str) -> StoreError:
    why = " ".join(why.split())  # one line, and short: the reason may quote the hostile file
    why = why if len(why) <= 200 else why[:199] + "…"
    return StoreError(f"{path} is not a usable session bundle ({why}); nothing was imported")


def read_bundle(path: Path) -> tuple[dict[str, Any], bytes | None]:
    """Check and read a bundle: (session.json content, audio bytes). Raises StoreError if damaged.

    A bundle comes from another machine and is read as hostile: only the three
    known members are read, each within a size limit checked against its
    declared size before any of it is inflated (a zip bomb costs nothing), and
    an inflated member longer than declared fails its checksum.
    """
    try:
        with zipfile.ZipFile(path) as z:
            infos = {info.filename: info for info in z.infolist()}
            unknown = sorted(set(infos) - set(MEMBER_LIMITS))
            if unknown:
                raise _damaged(path, f"it holds {unknown[0][:80]!r}, which no bundle has")
            if "manifest.json" not in infos:
                raise _damaged(path, "it has no manifest")
            manifest = json.loads(_read_member(path, z, infos["manifest.json"]))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                found = manifest.get("format") if isinstance(manifest, dict) else manifest
                raise _damaged(path, f"unknown format {str(found)[:80]!r}")
            files = manifest.get("files", {})
            if not isinstance(files, dict) or "session.json" not in files:
                raise _damaged(path, "it holds no session")
            data: dict[str, bytes] = {}
            for name, digest in files.items():
                if name not in MEMBER_LIMITS or name == "manifest.json":
                    raise _damaged(path, f"its manifest names {str(name)[:80]!r}, which no bundle has")
                if name not in infos:
                    raise _damaged(path, f"{name} is missing")
                data[name] = _read_member(path, z, infos[name])
                if hashlib.sha256(data[name]).hexdigest() != digest:
                    raise _damaged(path, f"{name} does not match its checksum")
    except FileNotFoundError as exc:
        raise StoreError(f"{path}: no such file") from exc
    except IsADirectoryError as exc:
        raise StoreError(f"{path}: is a folder, not a bundle") from exc
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ValueError,
        OSError,
        NotImplementedError,
    ) as exc:
        # zlib.error: damaged compressed data; NotImplementedError: a compression or encryption zipfile cannot read.
        raise _damaged(path, f"the archive is damaged: {' '.join(str(exc).split())[:160]}") from exc
    except RecursionError as exc:
        raise _damaged(path, "its JSON is nested too deeply") from exc
    try:
        payload = json.loads(data["session.json"])
    except (ValueError, RecursionError) as exc:
        raise _damaged(path, "session.json is not valid JSON") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("session"), dict):
        raise _damaged(path, "session.json holds no session")
    if payload["session"].get("uid") != manifest.get("uid"):
        raise _damaged(path, "the manifest and the session disagree")
    return payload, data.get("audio.ogg")


def _read_member(path: Path, z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    limit = MEMBER_LIMITS[info.filename]
    if info.file_size > limit:
        raise _damaged(path, f"{info.filename} declares {info.file_size:,} bytes, more than a bundle holds ({limit:,})")
    with z.open(info) as member:
        data = member.read(limit + 1)  # zipfile stops at the declared size; this bounds a lie the other way
    if len(data) > limit:
        raise _damaged(path, f"{info.filename} is larger than a bundle holds")
    return data


def _seq(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < MAX_SEQ:
        raise ValueError(f"an event's number {str(value)[:40]!r} is not a number the store keeps")
    return value


def import_bundle(store: SessionStore, path: Path) -> ImportResult:
    payload, audio = read_bundle(path)
    try:
        meta = payload["session"]
        info = SessionInfo(
            uid=str(meta["uid"]),
            started_at=str(meta["started_at"]),
            agent=str(meta.get("agent", "")),
            title=str(meta.get("title", "")),
            source=str(meta.get("source", "")),
            channels=tuple((str(a), str(b)) for a, b in meta.get("channels", [])),
            playbook_steps=tuple((str(a), str(b)) for a, b in meta.get("playbook_steps", [])),
            redacted=bool(meta.get("redacted", True)),
        )
        if not UID.fullmatch(info.uid):
            # The uid names the audio file: it must never be a path.
            raise ValueError(f"the session id {info.uid[:40]!r} is not one this app makes")
        events = [(_seq(seq), event_codec.decode(str(t), d)) for seq, t, d in payload["events"]]
        notes = [
            Note(
                str(n["uid"]),
                float(n["t"]),
                str(n["author"]),
                str(n["text"]),
                str(n["kind"]),
                str(n["created_at"]),
            )
            for n in payload.get("notes", [])
        ]
        duration, state, note = float(meta["duration"]), str(meta["state"]), str(meta.get("note", ""))
        if not math.isfinite(duration) or duration < 0 or any(not math.isfinite(n.t) for n in notes):
            raise ValueError("a time in it is not a number of seconds")
        if state not in STATES:
            raise ValueError(f"unknown state {state[:40]!r}")
    except (KeyError, TypeError, ValueError, AttributeError, StoreError) as exc:
        raise _damaged(path, f"its session data is malformed: {exc}") from exc

    existing = store.find_uid(info.uid)
    if existing is not None:
        return ImportResult(existing, info.uid, True, f"this call is already in the store (session {existing})")

    final = store.audio_path(info.uid)
    part = final.with_name(final.name + ".part")
    placed = False
    try:
        if audio is not None:
            write_private_bytes(part, audio)
        with store.transaction() as conn:
            session_id = insert_session(conn, info, state=state)
            insert_events(conn, session_id, events)
            for n in notes:
                insert_note(conn, session_id, n)
            conn.execute(
                "UPDATE sessions SET duration = ?, note = ?, audio = ? WHERE id = ?",
                (
                    duration,
                    note,
                    str(final.relative_to(store.root)) if audio is not None else None,
                    session_id,
                ),
            )
            refresh_summary(conn, session_id)
            if audio is not None:
                os.replace(part, final)
                placed = True
    except OSError as exc:
        raise StoreError(f"cannot import {path}: {exc.strerror or exc}") from exc
    except BaseException:
        if placed:
            final.unlink(missing_ok=True)
        raise
    finally:
        part.unlink(missing_ok=True)
    return ImportResult(session_id, info.uid, False, f"imported as session {session_id}")
