"""The encoder's graph rewrite: the exact part changes no number, the int8 part stays close to the float model."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from companion.analysis.reader.encoder import installed_files
from companion.analysis.reader.int8_graph import int8_weights

SENTENCE = "my parcel never arrived and nobody called me back"


def _hidden(model: bytes | str) -> np.ndarray:
    tokenizer = Tokenizer.from_file(str(installed_files().tokenizer))
    tokenizer.no_padding()
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    ids = np.array([tokenizer.encode(SENTENCE).ids], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
    return session.run(None, feeds)[0][0]


def test_gathering_the_embeddings_int8_gives_the_same_numbers() -> None:
    original = installed_files().model.read_bytes()
    rewritten = int8_weights(original, quantize_matmuls=False)
    assert rewritten != original
    assert np.array_equal(_hidden(rewritten), _hidden(original))


def test_int8_matmuls_stay_close_to_the_float_model() -> None:
    original = installed_files().model.read_bytes()
    rewritten = int8_weights(original)
    assert b"DynamicQuantizeMatMul" in rewritten
    a = _hidden(rewritten).mean(axis=0)
    b = _hidden(original).mean(axis=0)
    cosine = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    assert cosine > 0.95


def test_a_model_with_nothing_to_rewrite_comes_back_unchanged() -> None:
    original = installed_files().model.read_bytes()
    once = int8_weights(original)
    assert int8_weights(once) == once
