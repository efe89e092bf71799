"""Which party is the agent: from what each says, with the real sentence encoder and its agent-or-customer layer."""

from __future__ import annotations

from companion.analysis.reader.role_sense import load_role_sense
from companion.analysis.roles import decide, line_score

# The customer speaks first, and the agent never names a company.
CUSTOMER_FIRST = [
    ("first", "Hello? Is this billing?"),
    ("second", "Yes, you're through to billing. What can I do for you?"),
    ("first", "Right, I've been charged twice for the same month and I'd like one of them back."),
    ("second", "Oh, paying twice is annoying, sorry about that."),
    ("first", "It's the second time this year as well."),
    ("second", "Okay. Can I take the email address on the account?"),
    ("first", "It's m dot hughes at fastmail dot com."),
    ("second", "I'll refund the second payment now, it'll be back on your card in three to five days."),
    ("first", "Okay, great, thank you."),
    ("second", "No problem at all. Bye now."),
]

# The customer asks nearly every question; the agent answers, plainly, without a greeting or a name.
CUSTOMER_ASKS = [
    ("first", "Hi there."),
    ("second", "Hi. Does the streaming box work with an older television without HDMI?"),
    ("first", "It needs HDMI, but there's an adapter for older sets."),
    ("second", "How much is the adapter? And does it come in the same box?"),
    ("first", "It's twelve pounds, and you'd add it at the checkout."),
    ("second", "Is there a contract? How long do I have to keep it?"),
    ("first", "No contract, it's a one-off payment, and thirty days to return it."),
    ("second", "When would it arrive if I ordered today?"),
    ("first", "Tomorrow, if you order before eight tonight."),
    ("second", "Go on then, thanks."),
]


def test_a_call_the_customer_opens_still_names_the_agent() -> None:
    roles = decide(CUSTOMER_FIRST)
    assert roles.agent == "second" and roles.source == "words"
    assert roles.confidence >= 0.8


def test_a_customer_who_asks_the_questions_is_not_taken_for_the_agent() -> None:
    roles = decide(CUSTOMER_ASKS)
    assert roles.agent == "first"
    assert roles.confidence >= 0.7


def test_swapping_the_parties_swaps_the_answer() -> None:
    swapped = [("second" if p == "first" else "first", text) for p, text in CUSTOMER_FIRST]
    assert decide(swapped).agent == "first"  # type: ignore[arg-type]


def test_the_meaning_layer_tells_an_agents_sentence_from_a_customers() -> None:
    odds = load_role_sense().agent_odds(
        [
            "Could you give me the postcode on the account, please?",
            "I'll book an engineer for tomorrow morning at no charge.",
            "My parcel says delivered but there's nothing on my doorstep.",
            "I've been on hold for forty minutes and nobody has called me back.",
        ]
    )
    assert min(odds[:2]) > max(odds[2:])


def test_a_bare_thanks_at_the_end_is_the_customers_and_hello_with_a_question_is_the_callers() -> None:
    assert line_score("Okay, thanks.", closing=True) < 0
    assert line_score("Okay, thanks.", closing=False) == 0
    assert line_score("Hello? Can you hear me?") < 0
    assert line_score("Hi, it's Dan calling from the surgery about your appointment.") > 0
