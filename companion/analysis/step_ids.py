"""The de-escalation playbook's steps, by id, in the order a call takes them.

One definition: the playbook loader checks a team's file against it, the coach
walks it, and the window and the stored sessions name steps by these ids.
"""

from __future__ import annotations

from enum import StrEnum


class StepId(StrEnum):
    LISTEN = "listen"
    EMPATHIZE = "empathize"
    ASSESS = "assess"
    AFFIRM = "affirm"
    RESOLVE = "resolve"
    AGREE = "agree"
    THANK = "thank"


STEP_ORDER: tuple[str, ...] = tuple(step.value for step in StepId)
"""The step ids in playbook order, as plain strings (what events and stored sessions carry)."""
