"""A short call as recorded event values, and the step list the widget tests show."""

from __future__ import annotations

from companion.events import (
    Alert,
    CallEnded,
    CallStarted,
    Event,
    Level,
    Mood,
    NextStep,
    Partial,
    SentimentPoint,
    StepDone,
    Utterance,
)
from companion.ui.coaching import StepInfo

STEPS = [
    StepInfo("listen", "Listen", "Let them finish; don't interrupt.", "Please, go on."),
    StepInfo("empathize", "Empathize", "Name the feeling before any fix.", "I can hear how frustrating this is."),
    StepInfo("assess", "Assess", "Ask what you need to know.", "Can I have your account number?"),
    StepInfo("resolve", "Resolve", "Offer the fix in plain words.", "Here is what I will do."),
    StepInfo("thank", "Thank them", "Close warmly.", "Thank you for your patience."),
]


def recorded_call() -> list[Event]:
    """A water-bill complaint: the customer is angry, the agent empathizes, slips, and recovers."""
    return [
        CallStarted(0.0, "recorded", (("agent", "left"), ("customer", "right")), True),
        Level(0.1, "agent", -30.0),
        Level(0.1, "customer", -70.0),
        Partial(2.0, "customer", 0, 1.0, "My water bill is"),
        Partial(3.0, "customer", 0, 1.0, "My water bill is three times"),
        Utterance(0, "customer", 1.0, 5.0, "My water bill is three times what it should be!", 0, 5.4),
        SentimentPoint(5.4, "customer", -0.7, -0.7, 0, -0.5),
        NextStep(5.4, "listen", "the customer is venting"),
        Mood(5.4, "escalated", -0.7, 0),
        Utterance(1, "agent", 6.0, 9.0, "That sounds really frustrating, I'm glad you called.", 0, 9.3),
        SentimentPoint(9.3, "agent", 0.5, 0.5, 1),
        StepDone(9.3, "empathize", 1, "that sounds really frustrating"),
        NextStep(9.3, "assess", "empathy shown: find out what happened", 1),
        Utterance(2, "agent", 10.0, 12.0, "Calm down, it's our policy.", 1, 12.2),
        Alert(12.2, "trigger-words", '"calm down" tends to inflame', 2, speaker="agent"),
        Utterance(3, "customer", 13.0, 16.0, "Don't tell me to calm down.", 1, 16.3),
        SentimentPoint(16.3, "customer", -0.8, -0.75, 3, -0.3),
        NextStep(16.3, "empathize", "the customer escalated again", 3),
        Utterance(4, "agent", 17.0, 21.0, "You're right. Can I have your account number?", 2, 21.2),
        StepDone(21.2, "assess", 4, "can i have your account number"),
        Utterance(5, "customer", 22.0, 24.0, "It's 4471. Thank you for listening.", 2, 24.2),
        SentimentPoint(24.2, "customer", 0.6, 0.2, 5, 1.2),
        Mood(24.2, "calmed", 0.2, 5),
        NextStep(24.2, "resolve", "they were heard: offer the fix", 5),
        Level(24.3, "customer", -18.0),
        CallEnded(25.0, "end"),
    ]
