"""Transcript files the rough-edge tests share: a short support call in the text format other systems write."""

from __future__ import annotations

from pathlib import Path

# The agent's lines are ones the default playbook ticks (greet, empathize, resolve); the customer's,
# markup and subtitle syntax a hostile or careless source could put into what was "said".
SCRIPT_TAG = "<script>alert('x')</script>"
IMG_TAG = '<img src=x onerror="alert(1)">'
CALL_LINES = (
    "[00:01] Agent: Thank you for calling, this is Sam, how can I help you today?",
    f"[00:05] Customer: I was charged twice and I am really upset about it {SCRIPT_TAG}",
    "[00:11] Agent: I am so sorry, I understand how frustrating that is. Let me look into it.",
    f"[00:17] Customer: 12 --> 00:00:01,000 and {IMG_TAG}",
    "[00:21] Agent: Thank you. I have refunded the second charge.",
    "[00:26] Customer: Great, thank you so much for your help.",
)


def write_call(folder: Path, name: str = "support-call.txt") -> Path:
    path = folder / name
    path.write_text("\n".join(CALL_LINES) + "\n", encoding="utf-8")
    return path
