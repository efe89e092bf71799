"""Headless analysis of one file through the live pipeline."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from companion.analysis.report import build_report
from companion.asr.model import ModelSettings
from companion.audio.files import FileSource
from companion.errors import CompanionError
from companion.pipeline import CallPipeline, EngineSettings


def analyze_file(
    path: Path, agent: str | None = None, realtime: bool = False, model: str = "bundled"
) -> tuple[dict[str, Any], CompanionError | None]:
    """Analyse a recording; return the report and the error that cut it short, if any.

    An error raised before any audio was read (missing file, not audio) is raised;
    one met part-way returns the report of what was read, so nothing is lost.
    """
    source = FileSource(path, agent=agent, realtime=realtime)
    settings = EngineSettings(model=ModelSettings(name=model))
    pipeline = CallPipeline(source, settings)
    with contextlib.suppress(CompanionError):
        pipeline.run()
    report = build_report(pipeline.events, wall_s=pipeline.wall_s, source=str(path))
    return report, pipeline.error
