"""The command line run in-process, its exit code and what it printed."""

from __future__ import annotations

import pytest

from companion.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
