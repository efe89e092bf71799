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
