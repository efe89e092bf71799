"""One widget per module; each draws a part of the call from event values."""
