"""Fixtures of the browser tests: the booth's HTTP server and a headless Chromium (see harness)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import harness


@pytest.fixture(scope="module")
def booth_url() -> Iterator[str]:
    with harness.booth_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    problem = harness.missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    with harness.chromium() as driver:
        yield driver
