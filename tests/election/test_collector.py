"""election/collector.py: the cyclic collector paused around bulk work, and running again after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from election.collector import collector_paused


@pytest.fixture(autouse=True)
def _collector_running() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


def test_paused_meanwhile_and_running_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_running_again_after_an_exception() -> None:
    with pytest.raises(ValueError, match="inside"), collector_paused():
        raise ValueError("inside")
    assert gc.isenabled()


def test_a_nested_pause_leaves_it_to_the_outermost() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner pause did not start it again
    assert gc.isenabled()


def test_not_paused_when_not_asked() -> None:
    with collector_paused(False):
        assert gc.isenabled()
    assert gc.isenabled()


def test_a_collector_stopped_by_the_caller_stays_stopped() -> None:
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
