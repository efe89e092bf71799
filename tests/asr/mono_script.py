"""A short two-party call, spoken by the tests of mono recordings."""

SCRIPT = [
    ("agent", "Good morning, thank you for calling Northfield Power, this is Priya. How can I help you today?"),
    ("customer", "Hi. My electricity bill this month is twice what it normally is and I have no idea why."),
    ("agent", "I'm sorry to hear that, a bill like that is a shock. Could you give me your account number please?"),
    ("customer", "Yes, it is four four seven one two nine. I have been with you six years and this never happened."),
    ("agent", "Thank you. I can see an estimated reading in March. Let me check the meter history for you."),
    ("customer", "An estimate? Nobody came to read the meter. This is ridiculous, I want it fixed."),
    ("agent", "I understand. I will replace the estimate with your real reading and send you a corrected bill today."),
    ("customer", "Okay. That sounds fair, thank you."),
    ("agent", "You're welcome. Is there anything else I can help you with? Have a good day."),
]

# The customer speaks first and the agent never names the company: the roles must come from the words.
CUSTOMER_FIRST_SCRIPT = [
    ("customer", "Hello? Is this the billing team? I have been charged twice for the same month."),
    ("agent", "Yes, you're through to billing. I'm sorry about that, let me look into it for you."),
    ("customer", "Two payments of forty pounds went out of my account, on the first and on the fourth."),
    ("agent", "Could you give me the email address on the account, please?"),
    ("customer", "It is m hughes at fastmail dot com. This is the second time it has happened this year."),
    ("agent", "Thank you. I can see both payments. I will refund the second one today."),
    ("customer", "Okay, thank you."),
    ("agent", "The money will be back on your card in three to five days. Is there anything else I can help with?"),
    ("customer", "No, that's all. Thanks."),
]

# A short call of short turns (about 30 s, 1-3 s a turn): where one voice is most easily taken for two
# (a split by what is said looks like two voices when there are few stretches to average over).
SHORT_SCRIPT = [
    ("agent", "Harbour Dental, good morning."),
    ("customer", "Hi, I have a bad toothache."),
    ("agent", "Oh dear. Since when?"),
    ("customer", "Since last night."),
    ("agent", "Is your face swollen?"),
    ("customer", "No, just sore."),
    ("agent", "Can you come at two today?"),
    ("customer", "Yes, two is fine."),
    ("agent", "Your name, please?"),
    ("customer", "Ruth Okafor."),
    ("agent", "Thanks Ruth, see you at two."),
    ("customer", "Thank you, bye."),
]

# An outbound call-back: the customer picks up with "Hello?" and the agent introduces themself.
CALL_BACK_SCRIPT = [
    ("customer", "Hello?"),
    ("agent", "Hi, is that Mrs Byrne? It's Joe from Ashgrove Motors, returning your call about the car."),
    ("customer", "Yes. It's been in your garage nine days now and nobody has told me anything."),
    ("agent", "I'm sorry, that's far too long to be left waiting."),
    ("customer", "I need it for work. I've been getting taxis all week."),
    ("agent", "The part came in this morning. Which day suits you to collect it?"),
    ("customer", "Thursday, after five?"),
    ("agent", "Thursday after five is fine. I'll take the taxi fares off the bill as well."),
    ("customer", "Okay. Thank you."),
    ("agent", "Thanks for your patience, Mrs Byrne. See you Thursday."),
]

# The recording starts in the middle of the customer's complaint, and the agent says little.
MID_COMPLAINT_SCRIPT = [
    ("customer", "and the engineer never turned up on Tuesday, so I took a whole day off work for nothing."),
    ("agent", "Right. Go on."),
    ("customer", "Then a text on Wednesday says the visit is done. Nobody came. The boiler still won't light."),
    ("agent", "That shouldn't have happened."),
    ("customer", "It's freezing in the house, and I've got a baby at home."),
    ("agent", "Postcode?"),
    ("customer", "L four, seven R T."),
    ("agent", "Earliest visit is Friday morning. I'll waive the call-out fee."),
    ("customer", "Friday is fine."),
    ("agent", "Booked. You'll get a text tonight with the time."),
    ("customer", "Okay, thanks."),
]
