"""Call Companion: a private, local assistant beside a live customer call."""

import os

# onnxruntime (which runs the Silero voice detector) sends usage telemetry to Microsoft
# from its official Linux and macOS builds since 1.29 unless this is set before it starts.
# Nothing may leave the machine, so it is set here, before any module can load it.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
# numpy's OpenBLAS starts a thread per core and lets them spin between the app's small matrix
# products (the reader's classifier and nearest neighbours, the diarizer): on a 2-core machine that
# doubled the reader's CPU (13.6 -> 6.5 ms a sentence, benchmarks/reader_bench.py) and took cycles
# from the recogniser. One thread is plenty for matrices this small; a user's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
