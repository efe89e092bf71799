"""The window: turns engine events into pixels and clicks into calls (the only Qt layer)."""
