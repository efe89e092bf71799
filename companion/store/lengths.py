"""How long a call was, written the same way in the command line's list, the library and the exports."""

from __future__ import annotations


def length_text(seconds: float) -> str:
    """A call's length: seconds under a minute ("0.98 s" reads "1.0 s", "42 s"), else "m:ss" or "h:mm:ss".

    Whole minutes alone would list every short call (a test call, a dropped
    one) as 0:00, which reads as "nothing was kept".
    """
    seconds = max(0.0, float(seconds))
    if round(seconds, 1) < 10:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    m, s = divmod(whole, 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
