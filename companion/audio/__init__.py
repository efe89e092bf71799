"""Audio in: live capture and files, cut into per-speaker 16 kHz mono blocks."""
