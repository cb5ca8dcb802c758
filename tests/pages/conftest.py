"""Fixtures of the page tests: one finished election on a real board per test module (real
crypto, uvicorn on 127.0.0.1, SQLite), and its export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.pages.elections import Served, served_election


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_election(tmp_path_factory.mktemp("board")) as s:
        yield s


@pytest.fixture(scope="module")
def export(served: Served, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / f"{served.election}.export"
    served.client.export_to(path)
    return path
