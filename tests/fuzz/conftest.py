"""Fixtures of the fuzz tests: how many inputs to try, the figures each test reports (inputs
tried, 5xx answers seen, tracebacks seen: summed at the end of the run by tests/conftest.py),
and one real election whose documents are the seeds of the mutations."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.fuzz.budget import Figures
from tests.verifier.election import Built, build_election


@pytest.fixture
def figures(record_property: Callable[[str, object], None]) -> Iterator[Figures]:
    counted = Figures()
    yield counted
    record_property("fuzz_inputs", counted.inputs)
    record_property("fuzz_5xx", counted.server_errors)
    record_property("fuzz_tracebacks", counted.tracebacks)


@pytest.fixture(scope="session")
def election() -> Built:
    return build_election()
