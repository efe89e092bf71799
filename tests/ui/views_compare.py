"""What a view shows, read off its widgets, and one stored call fed to the live view and to replay.

The snapshot reads what is on screen (widget text, series points, notices), not
the ``CallState`` behind it: the comparison is between two windows, so it
catches a view that draws the same state differently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pytestqt.qtbot import QtBot

from companion.events import CallStarted, Event, SpeechStarted
from companion.store.db import SessionStore, new_uid, now_iso
from companion.store.records import SessionInfo
from companion.store.session_data import load_session
from companion.ui.coaching import StepInfo
from companion.ui.live_view import LiveView
from companion.ui.replay_view import ReplayView
from companion.ui.widgets.sentiment_chart import SentimentChart


def _points(series) -> list[tuple[float, float]]:  # type: ignore[no-untyped-def]
    return [(round(series.at(i).x(), 3), round(series.at(i).y(), 3)) for i in range(series.count())]


def _chart(chart: SentimentChart) -> tuple:
    return _points(chart.line), _points(chart.steps), _points(chart.alerts), chart.step_labels, chart.alert_labels


def live_snapshot(view: LiveView) -> dict[str, object]:
    return {
        "lines": sorted((u.id, u.speaker, u.text) for u in view.transcript.finals),
        "next": (view.next_step.step_id, view.next_step.title.text(), view.next_step.reason.text()),
        "ticks": {sid: (row.text(), row.toolTip()) for sid, row in view.steps_panel.rows.items()},
        "mood": (view.mood.plain, view.mood.property("mood")),
        "chart": _chart(view.chart),
        "alerts": [(n.alert, round(n.effect.opacity(), 3)) for n in view.alerts.shown()],
    }


def replay_snapshot(view: ReplayView) -> dict[str, object]:
    return {
        "lines": sorted((u.id, u.speaker, u.text) for u in view.transcript.said.values()),
        "next": (view.next_step.step_id, view.next_step.title.text(), view.next_step.reason.text()),
        "ticks": {sid: (row.text(), row.toolTip()) for sid, row in view.steps_panel.rows.items()},
        "mood": (view.mood.plain, view.mood.property("mood")),
        "chart": _chart(view.chart),
        "alerts": [(n.alert, round(n.effect.opacity(), 3)) for n in view.alerts.shown()],
    }


def store_call(events: list[Event], folder: Path, title: str) -> tuple[Path, int]:
    """Keep a call's events in a real store, as the recorder does (no audio: replay runs on its clock)."""
    with SessionStore(folder) as store:
        sid = store.create_session(SessionInfo(new_uid(), now_iso(), agent="Sam", title=title))
        store.append_events(sid, list(enumerate(events)))
        store.finish_session(sid, max(float(e.t) for e in events))
    return folder, sid


def moments(events: list[Event]) -> list[int]:
    """Indexes k after which the live view has seen exactly the events replay folds at ``events[k].t``.

    That is when no earlier event is stamped later and no later one earlier (speech starts,
    stamped when the speech began, are not drawn and do not count).
    """
    drawn = [(i, float(e.t)) for i, e in enumerate(events) if not isinstance(e, SpeechStarted)]
    later_min = [float("inf")] * (len(drawn) + 1)
    for j in range(len(drawn) - 1, -1, -1):
        later_min[j] = min(drawn[j][1], later_min[j + 1])
    found, highest = [], float("-inf")
    for j, (i, t) in enumerate(drawn):
        highest = max(highest, t)
        if highest == t and later_min[j + 1] > t:
            found.append(i)
    return found


@dataclass
class Compared:
    moments: int
    distinct: int  # how many different pictures the moments showed
    alerts_seen: int
    fading_seen: int


def compare_live_and_replay(
    qtbot: QtBot, store_dir: Path, session_id: int, steps: list[StepInfo], every: int = 1
) -> Compared:
    """Feed the stored call to a live view event by event and seek replay to each moment; they must agree."""
    store = SessionStore(store_dir)
    events = list(load_session(store, session_id).events)
    assert isinstance(events[0], CallStarted)
    live = LiveView(steps)
    qtbot.addWidget(live)
    live.resize(1180, 700)
    replay = ReplayView(steps)
    qtbot.addWidget(replay)
    replay.resize(1280, 860)
    assert replay.load(store, session_id)
    points = moments(events)[::every]
    fed, pictures, alerts, fading = 0, set(), 0, 0
    for k in points:
        while fed <= k:
            live.apply(events[fed])
            fed += 1
        t = float(events[k].t)
        replay.seek(t)
        shown_live, shown_replay = live_snapshot(live), replay_snapshot(replay)
        for part in shown_live:
            assert shown_live[part] == shown_replay[part], (part, t)
        pictures.add(repr(shown_live))
        alerts += bool(shown_live["alerts"])
        fading += any(opacity < 1 for _, opacity in shown_live["alerts"])  # type: ignore[union-attr]
    store.close()
    return Compared(len(points), len(pictures), alerts, fading)
