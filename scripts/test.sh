#!/usr/bin/env bash
# Sets everything up and runs the whole test suite: lint, layering contracts, then pytest.
# Real audio, the real model, real PulseAudio capture and real Qt windows (offscreen):
# nothing is mocked and nothing is skipped for want of a tool.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check companion tests benchmarks
.venv/bin/lint-imports
exec .venv/bin/python -m pytest -q "$@"
