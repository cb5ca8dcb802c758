"""Spec §2.5 The optional C loops of ``crypto._native`` (crypto/_native.c), wired to the
libsecp256k1 that ``crypto.group`` uses.

The extension makes no point arithmetic of its own: it calls libsecp256k1's public
``secp256k1_ec_pubkey_parse``, ``_combine`` and ``_negate`` through the function
pointers of coincurve's cffi bindings, with ``crypto.group``'s context, and replaces the Python
around those calls (decoding many points in one call, Pippenger's bucketing). It is built at
install time when a C compiler is present; without it, or with the environment variable
``VERIVOTE_PURE_PYTHON=1`` (to compare the two), ``NATIVE`` is None and ``crypto.multiexp``
runs the same computations in pure Python, with the same results.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any, Final

from coincurve._libsecp256k1 import ffi, lib

from crypto.group import _CTX

__all__ = ["NATIVE", "POINT_SIZE", "raw_from_packed"]

#: The size of libsecp256k1's opaque ``secp256k1_pubkey``, as the extension packs points.
POINT_SIZE: Final = 64


def _load() -> ModuleType | None:
    if os.environ.get("VERIVOTE_PURE_PYTHON") == "1":
        return None
    try:
        from crypto import _native  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - an install without a C compiler
        return None

    def address(pointer: Any) -> int:
        return int(ffi.cast("uintptr_t", pointer))

    _native.init(
        address(_CTX),
        address(ffi.addressof(lib, "secp256k1_ec_pubkey_parse")),
        address(ffi.addressof(lib, "secp256k1_ec_pubkey_combine")),
        address(ffi.addressof(lib, "secp256k1_ec_pubkey_negate")),
    )
    module: ModuleType = _native
    return module


#: The extension (``parse``, ``pippenger``), or None when it is not built.
NATIVE: Final = _load()


def raw_from_packed(packed: bytes) -> Any:
    """A packed ``secp256k1_pubkey`` (64 bytes) as a cffi pointer of its own."""
    raw = ffi.new("secp256k1_pubkey *")
    ffi.memmove(raw, packed, POINT_SIZE)
    return raw
