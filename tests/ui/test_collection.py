"""The garbage collector leaves what existed before a call alone until the call ends."""

from __future__ import annotations

import gc

from pytestqt.qtbot import QtBot

from companion.ui.collection import hold_collection, release_collection


def test_a_call_freezes_what_came_before_and_its_end_thaws_and_collects(qtbot: QtBot) -> None:
    class Cycle:
        def __init__(self) -> None:
            self.me = self

    hold_collection()
    try:
        assert gc.get_freeze_count() > 0  # start-up's objects are out of every collection
        gc.collect()
        dropped = Cycle()
        del dropped  # garbage made during the call is still collected in the call's own generations
        assert gc.collect() >= 1
    finally:
        release_collection()
    assert gc.get_freeze_count() == 0
    collections = gc.get_stats()[2]["collections"]
    qtbot.waitUntil(lambda: gc.get_stats()[2]["collections"] > collections, timeout=2000)
