"""Each VADER failure on call transcripts that the reader corrects, one test per case."""

from __future__ import annotations

import pytest

from companion.analysis.mood import MoodWatch, SentimentLine
from companion.analysis.sentiment import SentimentReader


@pytest.fixture(scope="module")
def reader() -> SentimentReader:
    return SentimentReader()


def test_complaint_without_emotive_words_reads_negative(reader: SentimentReader) -> None:
    text = "I returned the jacket three weeks ago and I still have not received my refund."
    assert reader.vader(text) > -0.1  # VADER alone: neutral
    assert reader.read(text, "customer").score <= -0.25


def test_repeat_calls_read_negative_despite_honestly(reader: SentimentReader) -> None:
    text = "Honestly, this is the third time I have called about it."
    assert reader.vader(text) > 0.3
    assert reader.read(text, "customer").score < 0


def test_filler_like_is_not_liking(reader: SentimentReader) -> None:
    text = "I feel like you people just do not care"
    reading = reader.read(text, "customer")
    assert reading.score < reader.vader(text) - 0.2
    assert reading.score <= -0.3


def test_polite_request_is_not_happiness(reader: SentimentReader) -> None:
    text = "Can you please help me with my bill?"
    assert reader.vader(text) > 0.5
    assert abs(reader.read(text, "customer").score) < 0.2


def test_answer_no_is_already_neutral_in_vader(reader: SentimentReader) -> None:
    # Checked, not corrected: VADER leaves a bare "no" answering a question neutral.
    assert reader.read("No, I dropped it off on Monday.", "customer").score == 0.0


def test_no_problem_stays_positive(reader: SentimentReader) -> None:
    assert reader.read("No problem at all.", "agent").score > 0.2
    assert reader.read("No worries, that's fine.", "customer").score > 0.2


def test_agent_empathy_is_not_agent_negativity(reader: SentimentReader) -> None:
    text = "I understand how frustrating it must be to wait three weeks. I would feel the same way."
    assert reader.vader(text) < -0.3
    assert reader.read(text, "agent").score >= 0.0
    sorry = "I am so sorry you had to deal with that."
    assert reader.read(sorry, "agent").score >= 0.0


def test_agent_naming_the_problem_is_description(reader: SentimentReader) -> None:
    text = "I can fix that problem for you today."
    assert reader.vader(text) < -0.3
    assert reader.read(text, "agent").score >= 0.0


def test_agent_own_negativity_still_reads_negative(reader: SentimentReader) -> None:
    assert reader.read("Honestly this is a stupid waste of my time.", "agent").score < -0.4


def test_whisper_hallucination_carries_no_evidence(reader: SentimentReader) -> None:
    reading = reader.read("Thanks for watching!", "customer")
    assert reading.score == 0.0
    assert reading.evidence == 0.0


def test_unbelievable_from_a_caller_is_a_complaint(reader: SentimentReader) -> None:
    assert reader.read("This is unbelievable.", "customer").score < 0


def test_short_utterances_carry_less_evidence(reader: SentimentReader) -> None:
    assert reader.read("fine", "customer").evidence < reader.read("That is fine, thanks a lot.", "customer").evidence


def test_apostrophes_from_the_recogniser_are_normalised(reader: SentimentReader) -> None:
    assert (
        reader.read("I don’t care any more", "customer").score == reader.read("I don't care any more", "customer").score
    )


def test_smoothing_is_over_time_not_count() -> None:
    close, apart = SentimentLine(), SentimentLine()
    close.add(0.0, -0.8, 1.0)
    apart.add(0.0, -0.8, 1.0)
    soon = close.add(1.0, 0.8, 1.0).smoothed  # one second later
    later = apart.add(60.0, 0.8, 1.0).smoothed  # a minute later
    assert soon < -0.5 < later
    assert later > 0.5


def test_trend_is_per_minute_and_signed() -> None:
    line = SentimentLine()
    for i, score in enumerate([-0.8, -0.5, -0.2, 0.1, 0.4]):
        point = line.add(i * 10.0, score, 1.0, 5.0)
    assert point.trend > 0.5
    falling = SentimentLine()
    for i, score in enumerate([0.5, 0.1, -0.4, -0.8]):
        point = falling.add(i * 10.0, score, 1.0, 5.0)
    assert point.trend < -0.5


def test_mood_escalates_once_then_calms() -> None:
    watch = MoodWatch()
    assert watch.update(None, -0.7, -0.7) == "escalated"
    assert watch.update(-0.7, -0.9, -0.8) is None  # one event per episode
    assert watch.update(-0.8, 0.6, 0.1) == "calmed"
    assert watch.update(0.1, -0.6, -0.3) == "escalated"  # a sharp drop re-escalates


@pytest.mark.parametrize(
    "text",
    [
        "The sofa you delivered yesterday has a huge tear in the back cushion.",
        "My internet has gone down four times this week.",
        "Do not tell me to calm down.",
        "I want to cancel my service.",
        "The laptop won't turn on at all.",
    ],
)
def test_a_flatly_worded_problem_report_is_a_complaint(reader: SentimentReader, text: str) -> None:
    # What a small recogniser leaves of an angry caller is often just the facts.
    assert reader.read(text, "customer").score <= -0.25


@pytest.mark.parametrize(
    "text",
    [
        "I'd like to freeze my membership for two months while I recover.",
        "I'm moving house next month and I'd like to move my account.",
        "It's room four one two, from Friday to Sunday.",
    ],
)
def test_a_calm_request_is_not_a_complaint(reader: SentimentReader, text: str) -> None:
    assert reader.read(text, "customer").score > -0.25
