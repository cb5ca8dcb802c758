"""Spec §4.3 Strict readers for the JSON wire format: hex fields, exact-key objects, and the
two string fields every document shares, ``ID`` and ``TEXT`` (§10.1, §11.1).

Parsers everywhere in verivote use these, so that a wire object with a missing field, an unknown
field, a wrong type or upper-case hex is refused in one place, with the field named.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from crypto.errors import MalformedInput, NonCanonicalEncoding

__all__ = [
    "ID_PATTERN",
    "MAX_TEXT",
    "expect_bool",
    "expect_int",
    "expect_list",
    "expect_object",
    "expect_str",
    "parse_hex",
    "parse_id",
    "parse_text",
]

ID_PATTERN: Final = "[a-z0-9][a-z0-9-]{0,62}"
"""Spec §10.1 and §11.1 An ID (an election id, a contest, section, nominee or attribute id)."""
MAX_TEXT: Final = 500
_ID: Final = re.compile(ID_PATTERN)
_HEX_DIGITS: Final = re.compile("[0-9a-fA-F]*")
_LOWER_HEX: Final = re.compile("[0-9a-f]*")


def parse_hex(text: object, length: int, what: str) -> bytes:
    """Spec §1.2 Exactly ``length`` bytes written as 2·length lower-case hex digits.

    Raises:
        MalformedInput: not a string, wrong length, or a character that is not a hex digit
            (white space included: ``bytes.fromhex`` would skip it).
        NonCanonicalEncoding: upper-case digits.
    """
    if type(text) is str and len(text) == 2 * length:
        # The common case in one pass of C: bytes.fromhex also takes upper-case digits and
        # white space, so the bytes must write back as exactly ``text``; anything else goes
        # through the checks below, which name what is wrong.
        try:
            data = bytes.fromhex(text)
        except ValueError:
            pass
        else:
            if data.hex() == text:
                return data
    if not isinstance(text, str):
        raise MalformedInput(f"{what} must be a hex string, got {type(text).__name__}")
    if len(text) != 2 * length:
        raise MalformedInput(f"{what} must be {2 * length} hex digits, got {len(text)}")
    if not _HEX_DIGITS.fullmatch(text):
        raise MalformedInput(f"{what} is not hex: {text!r}")
    if not _LOWER_HEX.fullmatch(text):
        raise NonCanonicalEncoding(f"{what} must be lower-case hex: {text!r}")
    return bytes.fromhex(text)


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


def expect_bool(value: object, what: str) -> bool:
    """Raises: MalformedInput when ``value`` is not ``true`` or ``false``."""
    if not isinstance(value, bool):
        raise MalformedInput(f"{what} must be true or false, got {type(value).__name__}")
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


def parse_id(value: object, what: str) -> str:
    """Spec §10.1 and §11.1 An ID: 1 to 63 characters of ``a-z``, ``0-9``, ``-``, not starting
    with ``-`` (an election id is one).

    Raises:
        MalformedInput: anything else.
    """
    text = expect_str(value, what)
    if not _ID.fullmatch(text):
        raise MalformedInput(f"{what}: must be 1-63 of a-z, 0-9, '-' (not first), got {text!r}")
    return text


def parse_text(value: object, what: str) -> str:
    """Spec §11.1 A TEXT: 1 to 500 characters, no leading or trailing white space.

    Raises:
        MalformedInput: anything else.
    """
    text = expect_str(value, what)
    if not text or len(text) > MAX_TEXT or text != text.strip():
        raise MalformedInput(f"{what}: must be 1-{MAX_TEXT} characters without outer spaces")
    return text
