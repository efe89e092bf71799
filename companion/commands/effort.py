"""The ``--effort low|normal|high`` option shared by ``analyze``, ``listen`` and the window."""

from __future__ import annotations

import argparse

from companion.asr.effort import DEFAULT_EFFORT, EFFORTS, Effort, effort_named

HELP = (
    "how much CPU live recognition may spend: low (fewest passes), normal (the default), "
    "high (a partial every 0.5 s and every line settled in context)"
)


def add_effort_option(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup, default: str | None = DEFAULT_EFFORT, extra: str = ""
) -> None:
    parser.add_argument("--effort", choices=tuple(EFFORTS), default=default, help=HELP + extra)


def effort_from(args: argparse.Namespace) -> Effort:
    return effort_named(getattr(args, "effort", None) or DEFAULT_EFFORT)
