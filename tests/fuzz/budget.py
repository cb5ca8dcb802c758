"""How long the fuzz tests run: a short run in ``make test`` (reproducible: hypothesis is
derandomized), a long one in ``make fuzz`` (``VERIVOTE_FUZZ=long``: random, many more inputs)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from hypothesis import HealthCheck, settings

LONG: Final = os.environ.get("VERIVOTE_FUZZ") == "long"


def budget(short: int, long: int | None = None) -> settings:
    """Hypothesis settings trying ``short`` inputs (``long``, default 25 times as many, under
    ``make fuzz``)."""
    return settings(
        max_examples=(long if long is not None else 25 * short) if LONG else short,
        derandomize=not LONG,
        database=None,
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@dataclass
class Figures:
    """What a fuzz test reports (see tests/conftest.py)."""

    inputs: int = 0
    server_errors: int = 0
    tracebacks: int = 0
