"""Call Companion: a private, local assistant beside a live customer call."""

__version__ = "0.1.0"
