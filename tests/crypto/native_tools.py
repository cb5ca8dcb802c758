"""The two paths of crypto.multiexp (spec §2.5): the C extension's loops (crypto/_native.c)
and pure Python. Tests run a computation on each and compare."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import crypto._pippenger
import crypto.multiexp
from crypto._accel import NATIVE

#: "c" (the extension, which the test install must have built) and "python".
PATHS = ("c", "python")


@contextmanager
def on_path(path: str) -> Iterator[None]:
    """Run the body on ``path``: "python" hides the extension from crypto.multiexp."""
    if path == "c":
        assert NATIVE is not None, "crypto._native is not built (pip install -e . builds it)"
        yield
        return
    with mock.patch.object(crypto.multiexp, "NATIVE", None):
        yield


@contextmanager
def bucket_spy(path: str) -> Iterator[Any]:
    """On ``path``, a spy on the function computing Pippenger's bucket method there."""
    with on_path(path):
        if path == "c":
            assert NATIVE is not None
            with mock.patch.object(NATIVE, "pippenger", wraps=NATIVE.pippenger) as spy:
                yield spy
        else:
            target = crypto._pippenger.pippenger  # as crypto.multiexp calls it: _pippenger
            with mock.patch.object(crypto.multiexp, "_pippenger", wraps=target) as spy:
                yield spy
