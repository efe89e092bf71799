"""A call that escalates, calms, escalates again on a trigger phrase, and is calmed for good.

Written as a live call would arrive: input levels, provisional text while each
line is spoken, its final text, settled text a little later, and everything
the real coach (the bundled playbook) derives from them, in order.
"""

from __future__ import annotations

from companion.analysis.coach import coach_for
from companion.analysis.playbook import load_playbook
from companion.events import CallEnded, CallStarted, Event, Level, Partial, Revision, Speaker, SpeechStarted, Utterance

# "speaker start end | first text" and, where the settled text differs, " => settled text".
SCRIPT = """
agent 0.5 4.0 | Thank you for calling Brightwater Energy, this is Alex. How can I help?
customer 5.0 12.0 | You cut off my heating in the middle of winter and I have two small kids.
customer 12.6 15.0 | This is outrageous, I am so angry!
agent 16.0 21.0 | I understand how frightening that must be, I would be worried too.
customer 22.0 26.0 | Thank you, I really appreciate that. Good, I just want it back on today.
agent 27.0 32.0 | Can you tell me the account holder's name and the address?
customer 33.0 36.0 | Maria Lopez, twelve Elm Road. Thanks, great. => Maria Lopez, 12 Elm Road. Thanks, great.
agent 37.0 43.0 | Thank you. Calm down, it's our policy to wait for the payment to clear.
customer 44.0 50.0 | Don't tell me to calm down! I paid last week and I am furious.
customer 50.6 53.0 | This is the worst service I have ever had.
agent 54.0 61.0 | You are right, I am sorry. I understand how upsetting this is, I would be angry too.
customer 62.0 65.0 | Okay. So what happens now?
agent 66.0 73.0 | I will restore your heating within two hours and add a credit to your account.
customer 74.0 78.0 | Thank you, that is a relief, I really appreciate it.
agent 79.0 83.0 | Thank you for your patience, Maria. Have a warm evening.
customer 84.0 86.0 | No, that's all. Thanks so much.
"""


def _lines() -> list[tuple[Speaker, float, float, str, str | None]]:
    out: list[tuple[Speaker, float, float, str, str | None]] = []
    for row in SCRIPT.strip().splitlines():
        head, _, texts = row.partition(" | ")
        speaker, start, end = head.split()
        first, _, settled = texts.partition(" => ")
        out.append((speaker, float(start), float(end), first, settled or None))  # type: ignore[arg-type]
    return out


LINES = _lines()
DURATION = 88.0
LATENCY_S = 0.4  # final text after the line ends
SETTLE_S = 2.5  # settled text after the final


def reescalation_call() -> list[Event]:
    raw: list[Event] = [CallStarted(0.0, "two headsets", (("agent", "Headset"), ("customer", "Line in")), True)]
    segments: dict[Speaker, int] = {}
    for uid, (speaker, start, end, text, settled) in enumerate(LINES):
        segment = segments[speaker] = segments.get(speaker, -1) + 1
        raw.append(SpeechStarted(start, speaker, segment))
        words = text.split()
        for k, at in enumerate(range(int(start) + 1, int(end))):
            raw.append(Partial(float(at), speaker, segment, start, " ".join(words[: 2 + 2 * k])))
        emitted = round(end + LATENCY_S, 3)
        raw.append(Utterance(uid, speaker, start, end, text, segment, emitted, start + 1.0))
        raw.append(Revision(round(emitted + SETTLE_S, 3), uid, speaker, settled or text))
    for tenth in range(0, int(DURATION * 2)):
        t = tenth / 2
        speaking = {s for s, a, b, *_ in LINES if a <= t <= b}
        for speaker in ("agent", "customer"):
            raw.append(Level(t + 0.05, speaker, -24.0 if speaker in speaking else -62.0))
    raw.append(CallEnded(DURATION, "stopped"))
    # As they reach the window: in call-time order (speech starts come when they are detected, a moment late).
    raw.sort(key=lambda e: (float(e.t) + (0.3 if isinstance(e, SpeechStarted) else 0.0), isinstance(e, CallEnded)))
    coach = coach_for(load_playbook())
    events: list[Event] = []
    for event in raw:
        events.append(event)
        events.extend(coach.feed(event))
    return events
