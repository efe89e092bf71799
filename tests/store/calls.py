"""Event lists and scripts the store tests share: made from the real event values, no recogniser."""

from __future__ import annotations

from companion.events import (
    Alert,
    CallEnded,
    CallStarted,
    Event,
    NextStep,
    Partial,
    SentimentPoint,
    SpeechStarted,
    StepDone,
    Utterance,
    Word,
)

# A billing complaint that goes wrong and then recovers (spoken by the pipeline tests).
BILLING_CALL = [
    ("agent", "Thank you for calling, this is Sam, how can I help you today?"),
    ("customer", "I was charged twice and I am really upset about it."),
    ("agent", "I am so sorry, I understand how frustrating that is. Let me look into it."),
    ("customer", "My card number is four one one one one one one one one one one one one one one one."),
    ("agent", "Thank you. I have refunded the second charge."),
    ("customer", "Great, thank you so much for your help."),
]

PLAYBOOK = (
    ("greet", "Greet and give your name"),
    ("empathize", "Acknowledge the feeling"),
    ("own", "Take ownership"),
    ("resolve", "Offer a resolution"),
    ("confirm", "Confirm the customer is satisfied"),
)


def _utt(i: int, speaker: str, start: float, end: float, text: str) -> Utterance:
    return Utterance(i, speaker, start, end, text, segment=i, emitted=end + 0.4)  # type: ignore[arg-type]


def internet_outage_events() -> list[Event]:
    """An internet-outage call (telecom): angry start, an interruption, dead air, a pitfall, recovery."""
    u = [
        _utt(0, "agent", 0.5, 3.0, "Hello, you are through to Fibrelink support, my name is Priya."),
        _utt(
            1,
            "customer",
            3.5,
            14.0,
            "My internet has been down for three days and nobody has called me back.",
        ),
        _utt(2, "customer", 14.5, 22.0, "I work from home and this is ridiculous, I want it fixed today."),
        # The agent talks over the customer for a second and a half.
        _utt(3, "agent", 20.5, 24.0, "Have you tried restarting the router?"),
        _utt(4, "customer", 24.5, 27.0, "Of course I have, that is not the point."),
        _utt(5, "agent", 37.0, 41.0, "You're right, I am sorry, three days without service is not acceptable."),
        _utt(6, "agent", 41.5, 45.0, "I will book an engineer for this afternoon and credit your account."),
        _utt(7, "customer", 45.5, 48.0, "Okay, thank you, that helps. My number is 555-123-4567."),
    ]
    steps = [
        StepDone(3.4, "greet", 0, u[0].text),
        StepDone(41.4, "empathize", 5, u[5].text),
        StepDone(45.4, "resolve", 6, u[6].text),
    ]
    sentiment = [
        SentimentPoint(14.4, "customer", -0.4, -0.40, 1),
        SentimentPoint(22.4, "customer", -0.7, -0.55, 2),
        SentimentPoint(27.4, "customer", -0.3, -0.62, 4),
        SentimentPoint(48.4, "customer", 0.6, 0.10, 7),
        SentimentPoint(44.0, "customer", 0.2, 0.05, None),  # a live reading of a partial: not final
    ]
    alerts = [
        Alert(24.4, "early-solution", "Offered a fix before acknowledging the problem", 3, speaker="agent"),
        Alert(21.9, "interruption", "Talked over the customer", 3, 1.5, "agent"),
        Alert(37.0, "dead-air", "10 s of silence", None, 10.0),
        Alert(30.0, "pace-fast", "Speaking fast", 3, 205.0, "agent"),
    ]
    events: list[Event] = [
        CallStarted(0.0, "test", (("agent", "left"), ("customer", "right")), True),
        SpeechStarted(0.5, "agent", 0),
        Partial(1.5, "agent", 0, 0.5, "Hello you are"),
        NextStep(0.0, "greet", "the call has started"),
    ]
    timeline = [*u, *steps, *sentiment, *alerts, NextStep(27.5, "empathize", "the customer is upset", 4)]
    events += sorted(timeline, key=lambda e: e.t)
    events.append(CallEnded(49.0))
    return events


def words_event() -> Utterance:
    return Utterance(
        9, "agent", 1.0, 2.0, "hello there", 3, 2.5, 1.2, (Word("hello", 1.0, 1.4), Word("there", 1.5, 2.0))
    )
