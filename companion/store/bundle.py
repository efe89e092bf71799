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
import os
import zipfile
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
    return StoreError(f"{path} is not a usable session bundle ({why}); nothing was imported")


def read_bundle(path: Path) -> tuple[dict[str, Any], bytes | None]:
    """Check and read a bundle: (session.json content, audio bytes). Raises StoreError if damaged."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            if "manifest.json" not in names:
                raise _damaged(path, "it has no manifest")
            manifest = json.loads(z.read("manifest.json"))
            if manifest.get("format") != FORMAT:
                raise _damaged(path, f"unknown format {manifest.get('format')!r}")
            files = manifest.get("files", {})
            if "session.json" not in files:
                raise _damaged(path, "it holds no session")
            data: dict[str, bytes] = {}
            for name, digest in files.items():
                if name not in names:
                    raise _damaged(path, f"{name} is missing")
                data[name] = z.read(name)
                if hashlib.sha256(data[name]).hexdigest() != digest:
                    raise _damaged(path, f"{name} does not match its checksum")
    except FileNotFoundError as exc:
        raise StoreError(f"{path}: no such file") from exc
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise _damaged(path, f"the archive is damaged: {exc}") from exc
    try:
        payload = json.loads(data["session.json"])
    except ValueError as exc:
        raise _damaged(path, "session.json is not valid JSON") from exc
    if payload.get("session", {}).get("uid") != manifest.get("uid"):
        raise _damaged(path, "the manifest and the session disagree")
    return payload, data.get("audio.ogg")


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
        events = [(int(seq), event_codec.decode(t, d)) for seq, t, d in payload["events"]]
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
    except (KeyError, TypeError, ValueError, StoreError) as exc:
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
