"""Running the command line in-process on fuzzed input, and the promise every run must keep."""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from companion.cli import main


@dataclass
class CliRun:
    code: int
    out: str
    err: str
    logged_tracebacks: list[str]


class _TracebackCatcher(logging.Handler):
    """A log record with an exception attached is a traceback printed to the user's terminal."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.seen.append(f"{record.name}: {record.getMessage()}")


@contextlib.contextmanager
def catching_tracebacks() -> Iterator[list[str]]:
    catcher = _TracebackCatcher()
    root = logging.getLogger()
    root.addHandler(catcher)
    try:
        yield catcher.seen
    finally:
        root.removeHandler(catcher)


def run_cli(*args: str) -> CliRun:
    out, err = io.StringIO(), io.StringIO()
    with catching_tracebacks() as seen, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))  # an exception escaping here is the defect the fuzzing looks for
    return CliRun(code, out.getvalue(), err.getvalue(), seen)


def assert_clean(run: CliRun, ok: tuple[int, ...] = (0, 2)) -> None:
    """Exit 0, or exit 2 with one line; never a traceback, printed or logged."""
    assert run.code in ok, (run.code, run.err)
    assert "Traceback" not in run.err and not run.logged_tracebacks, (run.err, run.logged_tracebacks)
    if run.code == 2:
        lines = [line for line in run.err.splitlines() if line.startswith("call-companion:")]
        assert lines, run.err
        assert lines[-1].count("\n") == 0 and len(lines[-1]) < 600, lines[-1]
