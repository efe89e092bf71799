"""The exit codes of ``call-companion``, in one place."""

from __future__ import annotations

OK = 0
USER_ERROR = 2  # bad input or a problem the user can act on; the message is one line on stderr
INTERRUPTED = 130  # Ctrl+C, as shells report a SIGINT
