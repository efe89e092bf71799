"""The playbook a command scores by: the one named with ``--playbook``, or the bundled default."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from companion.errors import PlaybookError


def chosen_playbook(path: str | None, doing: str) -> Any:
    """The named playbook, or the default when none is named; None when even the default is unusable.

    A playbook named on the command line that is missing or malformed raises
    ``PlaybookError`` (one line, exit 2): a script with a typo in the name must
    not be scored against another playbook and exit 0.  The window, where a
    person sees a banner, keeps falling back to the default instead.
    """
    from companion.analysis.playbook import load_playbook

    if path:
        return load_playbook(Path(path))
    try:
        return load_playbook()
    except PlaybookError as exc:  # the bundled one is damaged: transcribe without coaching
        print(f"call-companion: {exc}; {doing} without a playbook", file=sys.stderr)
        return None
