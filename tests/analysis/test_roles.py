"""Which party is the agent: from what each says, with the real sentence encoder and its agent-or-customer layer."""

from __future__ import annotations

from companion.analysis.reader.role_sense import load_role_sense
from companion.analysis.roles import decide, line_score, recorded_prompt

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


# A recording that starts in the middle of the customer's complaint, with an agent of few words: who
# spoke first is the customer, and nothing in the first line says the speaker answered the phone.
MID_COMPLAINT = [
    ("first", "so the boiler engineer never turned up on Tuesday, and I'd taken the whole day off work for it."),
    ("second", "Right. Go on."),
    ("first", "Then on Wednesday a text says the visit is done. Nobody came. The boiler still won't light."),
    ("second", "That shouldn't have happened."),
    ("second", "Postcode?"),
    ("first", "L four, seven R T."),
    ("second", "Got it. Earliest visit is Friday morning, and I'll waive the call-out fee."),
    ("first", "Friday's fine."),
    ("second", "Booked. Text tonight with the time."),
    ("first", "Okay, thanks."),
]


def test_who_answered_the_phone_is_read_from_the_first_line() -> None:
    from companion.analysis.roles import opening

    # An answer: a greeting, a company's name, or a few words.
    assert opening("Good morning, Harbour Dental, Ruth speaking.") == 1
    assert opening("Pharmacy.") == 1
    assert opening("Hi, is that Mr Osei? It's Tom from Lumen Fibre, returning your call.") == 1
    # A caller, or a customer picking up a call-back.
    assert opening("Hello?") == -1
    assert opening("Yeah?") == -1
    assert opening("Yeah.") == -1  # the recogniser may drop the question mark
    assert line_score("Yeah?") == 0  # mid-call, "Yeah?" is anyone's
    assert opening("Hi, is this the billing team?") == -1
    assert opening("Hi, I'm calling about my gas bill.") == -1
    # A recording that starts mid-call says nothing about who answered.
    assert opening("and that's the third month you've taken the fee after I cancelled the membership.") == 0


def test_a_recording_that_starts_mid_complaint_does_not_favour_the_customer() -> None:
    roles = decide(MID_COMPLAINT)
    assert roles.agent == "second" and roles.source == "words"


def test_a_call_back_answered_hello_names_the_agent_who_introduces_themself() -> None:
    call_back = [
        ("first", "Hello?"),
        ("second", "Hi, it's Sam from Fernway Energy, returning your call about the meter."),
        ("first", "Oh yes. Nobody has read it since March and the bill keeps going up."),
        ("second", "Okay."),
        ("first", "It was eighty pounds, now it's a hundred and fifty."),
        ("second", "Can you read me the numbers on it?"),
        ("first", "Four four one zero nine."),
        ("second", "Thanks. That brings it back to ninety a month."),
        ("first", "Okay."),
    ]
    roles = decide(call_back)
    assert roles.agent == "second"
    # "Hello?" no longer counts for whoever spoke first: the swapped call gets the other answer.
    assert decide([("second" if p == "first" else "first", t) for p, t in call_back]).agent == "first"  # type: ignore[misc]


def test_an_agent_who_wants_to_make_it_right_is_not_read_as_a_customer() -> None:
    assert line_score("I understand, and I want to make this right for you.") > 0
    assert line_score("I need to check your address first.") >= 0
    assert line_score("I want my money back.") < 0
    assert line_score("I want to know why you charged me twice.") < 0


def test_who_spoke_first_counts_only_when_the_first_line_answers_the_phone() -> None:
    story = "the parcel was left by the bins again, in the rain, the second time this month."
    # Phrases alone (no meaning layer), so nothing but the opening can decide.
    answered = decide([("first", "Support."), ("second", story)], use_sense=False)
    assert answered.agent == "first" and answered.confidence > 0.55
    mid_call = decide([("first", story), ("second", "Right.")], use_sense=False)
    assert mid_call.confidence == 0.5  # a recording that starts mid-call: a coin toss, said so
    picked_up = decide([("first", "Yeah?"), ("second", "Right.")], use_sense=False)
    assert picked_up.agent == "second"


IVR_PROMPT = [
    "Thank you for calling. Your call is important to us.",
    "Calls may be recorded for training and quality purposes.",
    "Please hold and the next available advisor will be with you shortly.",
]


def test_a_recorded_prompt_left_on_a_party_is_no_ones_words() -> None:
    # The prompt's "Thank you for calling" on the customer's side read as the customer's greeting,
    # and its first line as who answered: the questioning customer was taken for the agent (0.60).
    with_prompt = [("second", line) for line in IVR_PROMPT] + CUSTOMER_ASKS
    assert decide(with_prompt) == decide(CUSTOMER_ASKS)
    assert decide(with_prompt).agent == "first"
    assert recorded_prompt("For billing, press one. For a new account, press two.")
    assert not recorded_prompt("Thank you for holding, I've found your order.")
    assert not recorded_prompt("I'll press the button to refund it now.")
