"""Spec §4.3 Strict readers for the JSON wire format: hex fields and exact-key objects.

Parsers everywhere in verivote use these, so that a wire object with a missing field, an unknown
field, a wrong type or upper-case hex is refused in one place, with the field named.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crypto.errors import MalformedInput, NonCanonicalEncoding

__all__ = ["expect_int", "expect_list", "expect_object", "expect_str", "parse_hex"]


def parse_hex(text: object, length: int, what: str) -> bytes:
    """Exactly ``length`` bytes written as 2·length lower-case hex digits.

    Raises:
        MalformedInput: not a string, wrong length, or not hex.
        NonCanonicalEncoding: upper-case digits or white space.
    """
    if not isinstance(text, str):
        raise MalformedInput(f"{what} must be a hex string, got {type(text).__name__}")
    if len(text) != 2 * length:
        raise MalformedInput(f"{what} must be {2 * length} hex digits, got {len(text)}")
    try:
        data = bytes.fromhex(text)
    except ValueError:
        raise MalformedInput(f"{what} is not hex: {text!r}") from None
    if data.hex() != text:
        raise NonCanonicalEncoding(f"{what} must be lower-case hex without spaces: {text!r}")
    return data


def expect_object(
    value: object,
    what: str,
    *,
    required: set[str],
    optional: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A JSON object with every ``required`` key, no key outside ``required | optional``.

    Raises:
        MalformedInput: not an object, a key missing, or an unknown key.
    """
    if not isinstance(value, Mapping):
        raise MalformedInput(f"{what} must be a JSON object, got {type(value).__name__}")
    keys = set(value)
    missing = required - keys
    if missing:
        raise MalformedInput(f"{what}: missing field(s) {', '.join(sorted(missing))}")
    unknown = keys - required - optional
    if unknown:
        raise MalformedInput(f"{what}: unknown field(s) {', '.join(sorted(unknown))}")
    return dict(value)


def expect_str(value: object, what: str) -> str:
    """Raises: MalformedInput when ``value`` is not a string."""
    if not isinstance(value, str):
        raise MalformedInput(f"{what} must be a string, got {type(value).__name__}")
    return value


def expect_int(
    value: object, what: str, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    """An integer (not a bool) within [minimum, maximum].

    Raises:
        MalformedInput: not an integer, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedInput(f"{what} must be an integer, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise MalformedInput(f"{what} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise MalformedInput(f"{what} must be <= {maximum}, got {value}")
    return value


def expect_list(value: object, what: str, *, max_length: int | None = None) -> list[Any]:
    """Raises: MalformedInput when ``value`` is not a list or is longer than ``max_length``."""
    if not isinstance(value, list):
        raise MalformedInput(f"{what} must be a list, got {type(value).__name__}")
    if max_length is not None and len(value) > max_length:
        raise MalformedInput(f"{what}: at most {max_length} items, got {len(value)}")
    return value
