"""Speech to text: voice-activity segmentation and streaming Whisper transcription."""
