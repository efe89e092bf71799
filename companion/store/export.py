"""A stored session as TXT, SRT, VTT, JSON or an HTML scorecard (PDF goes through a renderer passed in).

Exports read the same events the replay folds and the same scorecard
function the review shows, and they redact by default, so what leaves the
machine never says more than what the store keeps.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from companion.analysis.report import build_report
from companion.analysis.scorecard import Scorecard, build_scorecard
from companion.errors import StoreError
from companion.store.lengths import length_text
from companion.store.session_data import StoredSession

FORMATS = ("txt", "srt", "vtt", "json", "html", "pdf")
JSON_SCHEMA = "call-companion/session@1"
SPEAKER_NAMES = {"agent": "Agent", "customer": "Customer", "call": "Call"}

PdfRenderer = Callable[[str, Path], None]
"""Turns the scorecard's HTML into a PDF file (the window does it with Qt's printer)."""


def export_session(session: StoredSession, fmt: str, out: Path, render_pdf: PdfRenderer | None = None) -> Path:
    """Write the session in ``fmt`` to ``out`` (replaced in one step, never left half-written)."""
    if fmt == "pdf":
        if render_pdf is None:
            raise StoreError("PDF export needs the app's window components (PySide6); try --format html")
        render_pdf(scorecard_html(session), out)
        return out
    makers: dict[str, Callable[[StoredSession], str]] = {
        "txt": to_txt,
        "srt": to_srt,
        "vtt": to_vtt,
        "json": lambda s: json.dumps(to_json(s), indent=1, ensure_ascii=False) + "\n",
        "html": scorecard_html,
    }
    if fmt not in makers:
        raise StoreError(f"unknown export format '{fmt}': use one of {', '.join(FORMATS)} or bundle")
    write_text_atomic(out, makers[fmt](session))
    return out


def write_text_atomic(out: Path, text: str) -> None:
    tmp = out.with_name(out.name + ".part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {out}: {exc.strerror or exc}") from exc


def scorecard_of(session: StoredSession) -> Scorecard:
    return build_scorecard(session.events, session.summary.playbook_steps)


def clock(t: float) -> str:
    m, s = divmod(int(t), 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}"


def _stamp(t: float, sep: str) -> str:
    ms = round(t * 1000)
    s, ms = divmod(ms, 1000)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def one_line(text: str) -> str:
    """What was said as one line: newlines and other breaks folded to spaces.

    A cue or transcript line that spans lines could forge the lines after it:
    a blank line ends an SRT/VTT cue early, and a number or a timing on a line
    of its own starts a new one.
    """
    return " ".join(text.split())


def cue_text(text: str) -> str:
    """One line safe as the text of an SRT or VTT cue: no timing arrow, no markup a player would obey.

    Players read ``<b>``, ``<font>`` (SRT) and ``<v>``, ``<c>`` (VTT) in cue text,
    and some web players put cue text into the page as HTML; angle brackets are
    shown as look-alikes (SRT has no escape) or escaped (VTT), never obeyed.
    """
    return one_line(text).replace("-->", "→")


def srt_text(text: str) -> str:
    return cue_text(text).replace("<", "‹").replace(">", "›")


def vtt_text(text: str) -> str:
    return html.escape(cue_text(text), quote=False)


def _who(speaker: str) -> str:
    return SPEAKER_NAMES.get(speaker, one_line(speaker) or "Speaker")


def to_txt(session: StoredSession) -> str:
    s = session.summary
    lines = [
        f"Call of {s.started_at}" + (f" - agent {s.agent}" if s.agent else ""),
        f"Duration {length_text(s.duration)}" + (f" ({s.note})" if s.note else ""),
        "",
    ]
    for u in session.utterances:
        lines.append(f"[{clock(u.start)}] {_who(u.speaker)}: {one_line(u.text)}")
    if session.notes:
        lines += ["", "Notes:"]
        for n in session.notes:
            # A note may have paragraphs; indented, they cannot pass for lines of the transcript.
            text = "\n    ".join(n.text.splitlines())
            lines.append(f"[{clock(n.t)}] {one_line(n.author)} ({one_line(n.kind)}): {text}")
    return "\n".join(lines) + "\n"


def to_srt(session: StoredSession) -> str:
    cues = []
    for i, u in enumerate(session.utterances, 1):
        timing = f"{_stamp(u.start, ',')} --> {_stamp(u.end, ',')}"
        cues.append(f"{i}\n{timing}\n{srt_text(_who(u.speaker))}: {srt_text(u.text)}\n")
    return "\n".join(cues)


def to_vtt(session: StoredSession) -> str:
    cues = ["WEBVTT\n"]
    for u in session.utterances:
        # The voice's name ends at '>' and may not hold markup either.
        who = vtt_text(_who(u.speaker)).replace("&gt;", "›")
        cues.append(f"{_stamp(u.start, '.')} --> {_stamp(u.end, '.')}\n<v {who}>{vtt_text(u.text)}\n")
    return "\n".join(cues)


def to_json(session: StoredSession) -> dict[str, Any]:
    s = session.summary
    return {
        "schema": JSON_SCHEMA,
        "session": {
            "uid": s.uid,
            "started_at": s.started_at,
            "duration": s.duration,
            "state": s.state,
            "agent": s.agent,
            "title": s.title,
            "note": s.note,
            "redacted": s.redacted,
        },
        "analysis": build_report(session.events, s.playbook_steps, source=s.source),
        "scorecard": scorecard_of(session).to_dict(),
        "notes": [
            {"t": n.t, "author": n.author, "kind": n.kind, "text": n.text, "created_at": n.created_at}
            for n in session.notes
        ],
    }


def _num(value: float | None, fmt: str = "{:+.2f}") -> str:
    return "–" if value is None else fmt.format(value)


def scorecard_html(session: StoredSession) -> str:
    """A self-contained page (inline style, no external resources) that prints well."""
    s, card = session.summary, scorecard_of(session)
    e = html.escape
    rows = []
    for step in card.steps:
        status = f"done at {clock(step.at or 0)}" if step.done else "missed"
        quote = f"<q>{e(step.evidence)}</q>" if step.evidence else ""
        cls = "done" if step.done else "missed"
        rows.append(f'<tr class="{cls}"><td>{e(step.title)}</td><td>{status}</td><td>{quote}</td></tr>')
    pitfalls = [f"<li><b>{e(p.kind)}</b> at {clock(p.t)}: {e(p.text)} <q>{e(p.quote)}</q></li>" for p in card.pitfalls]
    notes = [
        f"<li>{clock(n.t)} <b>{e(n.author)}</b>"
        f"{' (follow-up: process issue)' if n.kind == 'follow-up' else ''}: {e(n.text)}</li>"
        for n in session.notes
    ]
    ratio = "–" if card.talk_ratio is None else f"{card.talk_ratio * 100:.0f}% agent"
    figures = [
        ("Duration", length_text(card.duration)),
        ("Time to first empathy", "never" if card.first_empathy_s is None else clock(card.first_empathy_s)),
        ("Customer sentiment start", _num(card.sentiment_start)),
        ("Customer sentiment lowest", _num(card.sentiment_min)),
        ("Customer sentiment end", _num(card.sentiment_end)),
        ("Recovery (end − lowest)", _num(card.sentiment_recovery)),
        ("Talk ratio", ratio),
        ("Longest customer monologue", f"{card.longest_customer_monologue_s:.0f} s"),
        (
            "Interruptions (agent / customer)",
            f"{card.interruptions_by_agent} / {card.interruptions_by_customer}",
        ),
        ("Dead air", f"{card.dead_air_count} × ({card.dead_air_total_s:.0f} s)"),
    ]
    figure_rows = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in figures)
    title = e(s.title or f"Call of {s.started_at}")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Scorecard - {title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5em; }}
th, td {{ text-align: left; padding: 4px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }}
tr.done td:nth-child(2) {{ color: #1b7a35; }}
tr.missed td:nth-child(2) {{ color: #b3261e; font-weight: bold; }}
q {{ font-style: italic; color: #555; }}
.note {{ color: #666; }}
</style></head><body>
<h1>Scorecard</h1>
<p>{title}{" - agent " + e(s.agent) if s.agent else ""}</p>
{f'<p class="note">{e(s.note)}</p>' if s.note else ""}
<h2>Figures</h2><table>{figure_rows}</table>
<h2>Playbook steps</h2>
<table><tr><th>Step</th><th>Result</th><th>Evidence</th></tr>
{"".join(rows) or "<tr><td>none</td></tr>"}</table>
<h2>Pitfalls</h2><ul>{"".join(pitfalls) or "<li>none</li>"}</ul>
<h2>Coaching notes</h2><ul>{"".join(notes) or "<li>none</li>"}</ul>
</body></html>
"""
