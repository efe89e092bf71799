"""The window: turns engine events into pixels and clicks into calls (the only Qt layer)."""

from companion.ui.pyside_refcounts import guard_singletons

guard_singletons()
