"""Call Companion: a private, local assistant beside a live customer call."""

import os

# onnxruntime (which runs the Silero voice detector) sends usage telemetry to Microsoft
# from its official Linux and macOS builds since 1.29 unless this is set before it starts.
# Nothing may leave the machine, so it is set here, before any module can load it.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
