"""The window: a thin Qt layer that turns engine events into pixels."""
