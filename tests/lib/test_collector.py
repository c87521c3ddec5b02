"""`core.collector.collection_paused`: the cyclic collector is off inside, also nested and from
two threads, and on again afterwards exactly when it was on before."""

from __future__ import annotations

import gc
import threading

from stadsdel.core.collector import collection_paused


def test_the_collector_is_off_inside_and_back_on_after_the_last_one_leaves():
    assert gc.isenabled()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer one still holds it
    assert gc.isenabled()


def test_a_thread_leaving_first_does_not_turn_it_on_under_another():
    inside, leave = threading.Event(), threading.Event()

    def other():
        with collection_paused():
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=other)
    with collection_paused():
        thread.start()
        inside.wait(5)
    assert not gc.isenabled()  # this one left, the other is still inside
    leave.set()
    thread.join(5)
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    try:
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_it_is_back_on_after_an_error():
    try:
        with collection_paused():
            raise ValueError("refused")
    except ValueError:
        pass
    assert gc.isenabled()
