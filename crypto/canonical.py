"""Spec §4 Canonical JSON (RFC 8785, JSON Canonicalization Scheme), restricted to integers.

Every object verivote hashes or signs is encoded with ``encode`` and read back with ``decode``,
which accepts only the exact bytes ``encode`` would produce: no duplicate keys, no floats, no
NaN/Infinity, no insignificant white space, keys sorted, UTF-8 without BOM, no lone surrogates,
integers within the I-JSON safe range ±(2^53 - 1), nesting at most ``MAX_DEPTH`` (64) deep.

The reference encoder is the ``rfc8785`` package. For the shapes verivote writes (ASCII keys),
``json.dumps`` with sorted keys and compact separators produces the same bytes much faster;
``encode`` uses it only under that condition, and tests/crypto/test_canonical.py checks on random
values that both agree.

``decode`` tells canonical bytes by re-encoding what it parsed, except for ASCII documents without
escapes (all that verivote writes), whose form the C extension ``crypto._canonical``
(crypto/_canonical.c) checks in one pass over the bytes when it is built (and
``VERIVOTE_PURE_PYTHON`` is not ``1``); the tests hold both ways to the same verdicts.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from typing import Any, Final, TypeAlias

import rfc8785

from crypto.errors import MalformedInput, NonCanonicalEncoding

__all__ = ["FILLED", "MAX_DEPTH", "JsonValue", "decode", "decode_document", "encode"]

JsonValue: TypeAlias = "bool | int | str | list[JsonValue] | dict[str, JsonValue] | None"

MAX_SAFE_INTEGER: Final = 2**53 - 1
DEFAULT_MAX_BYTES: Final = 16 * 2**20
#: Spec §4.2 The deepest nesting a document may have: ``[]`` is 1, ``[[1]]`` 2.
MAX_DEPTH: Final = 64


def encode(value: JsonValue) -> bytes:
    """Spec §4.1 The RFC 8785 encoding of ``value`` (integers only).

    Raises:
        MalformedInput: a float, a non-string key, an integer outside ±(2^53 - 1), a lone
            surrogate, nesting deeper than ``MAX_DEPTH``, or a type JSON has no notation for.
    """
    ascii_keys = _check(value)
    if ascii_keys:
        return json.dumps(
            value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
        ).encode("utf-8")
    try:
        return bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:  # _check let none through
        raise MalformedInput(f"cannot canonicalise: {exc}") from None


def _check(value: Any) -> bool:
    """Reject what canonical JSON cannot hold; say whether every key is ASCII.

    Runs before any sorting: RFC 8785 sorts keys by their UTF-16 code units, and a key holding
    a lone surrogate has none (Spec §4.2), so it must be refused here, as MalformedInput.
    Each frame holds the members or elements of one array or object and its depth (§4.2).
    """
    ascii_keys = True
    frames: list[tuple[Iterable[Any], int]] = [((value,), 0)]
    while frames:
        items, depth = frames.pop()
        for v in items:
            # The exact types JSON values almost always have first (a ballot is mostly hex
            # strings); subclasses (bool of int, str or dict subclasses) take the general path.
            t = type(v)
            if t is str:
                if not v.isascii():
                    _check_no_surrogate(v, "string")
                continue
            if v is None or t is bool:
                continue
            if isinstance(v, str):
                if not v.isascii():
                    _check_no_surrogate(v, "string")
            elif isinstance(v, int):
                if not -MAX_SAFE_INTEGER <= v <= MAX_SAFE_INTEGER:
                    raise MalformedInput(f"integer outside ±(2^53 - 1): {v}")
            elif isinstance(v, list | dict):
                if depth == MAX_DEPTH:
                    raise MalformedInput(f"JSON nested deeper than {MAX_DEPTH} levels")
                if isinstance(v, dict):
                    for k in v:
                        if not isinstance(k, str):
                            raise MalformedInput(f"object key is not a string: {k!r}")
                        if not k.isascii():
                            _check_no_surrogate(k, "object key")
                            ascii_keys = False
                    frames.append((v.values(), depth + 1))
                else:
                    frames.append((v, depth + 1))
            elif isinstance(v, float):
                raise MalformedInput(f"floats are not allowed in canonical JSON: {v!r}")
            else:
                raise MalformedInput(f"no JSON notation for {type(v).__name__}")
    return ascii_keys


def _check_no_surrogate(text: str, what: str) -> None:
    """Raises: MalformedInput when ``text`` holds a lone surrogate (not UTF-8 encodable)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        raise MalformedInput(
            f"{what} contains a lone surrogate U+{code:04X} at character {exc.start}"
        ) from None


def decode(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> JsonValue:
    """Spec §4.2 Parse canonical JSON strictly.

    Raises:
        MalformedInput: too large, not UTF-8, not JSON, duplicate keys, floats, NaN/Infinity,
            a lone surrogate escape anywhere (keys included), nesting deeper than
            ``MAX_DEPTH``, or an integer outside ±(2^53 - 1).
        NonCanonicalEncoding: valid JSON whose bytes are not its canonical encoding.
    """
    # Parsed first without the duplicate-key hook (C builds the objects): a document this
    # parse refuses is parsed again with it, so that the reason is the one met first; one it
    # reads is canonical only if re-encoding it gives it back, which a duplicate key prevents
    # (the re-encoded object has one member fewer), so a mismatch too is parsed again, to
    # name the duplicate key before calling the document non-canonical.
    try:
        value = _parse(data, max_bytes=max_bytes, keys_checked=False)
    except MalformedInput:
        _parse(data, max_bytes=max_bytes)
        raise
    # ASCII without escapes, in canonical form (no white space, keys in order, no -0, nesting
    # within MAX_DEPTH), as the C pass over the bytes finds it, is its own encoding.
    if _CANONICAL_PLAIN is not None and _CANONICAL_PLAIN(data):
        return value
    # What json.loads made of ASCII without escapes (and the hooks of _parse let through)
    # holds no lone surrogate and only ASCII keys: ``encode`` would find nothing to refuse and
    # take its json.dumps path, taken here without the walk of ``_check``.
    plain = _plain(data)
    encoded = _PLAIN_ENCODER.encode(value).encode("ascii") if plain else encode(value)
    if encoded != data:
        _parse(data, max_bytes=max_bytes)
        raise NonCanonicalEncoding("JSON is not in canonical form (RFC 8785)")
    return value


# Every byte but those of JSON's structure: deleted to leave a document's skeleton.
_NOT_STRUCTURE: Final = bytes(b for b in range(256) if b not in b'"[]{}')
_STRING: Final = re.compile(rb'"[^"]*"')


# encode()'s json.dumps, made once. Not ensure_ascii: that would escape DEL (0x7f), which
# RFC 8785 writes as it is.
_PLAIN_ENCODER: Final = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def _load_canonical() -> Any:
    if os.environ.get("VERIVOTE_PURE_PYTHON") == "1":
        return None
    try:
        from crypto import _canonical  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - an install without a C compiler
        return None
    return _canonical


_EXTENSION: Final = _load_canonical()
#: crypto._canonical.plain: whether ASCII JSON without a backslash, which json.loads accepted,
#: is canonical (False also for anything else); None when the extension is not built.
_CANONICAL_PLAIN: Final[Callable[[bytes], bool] | None] = (
    None if _EXTENSION is None else _EXTENSION.plain
)
#: crypto._canonical.filled(data, skeleton, holes): whether ``data`` is ``skeleton`` with
#: lower-case hex in each hole (``holes``: start and end offsets, struct "=I", in order); None
#: when the extension is not built (verifier/_ballot_template.py then uses a regular expression).
FILLED: Final[Callable[[bytes, bytes, bytes], bool] | None] = (
    None if _EXTENSION is None else _EXTENSION.filled
)


def _plain(data: bytes) -> bool:
    """Whether ``data`` is ASCII without a backslash (so no escape in any string) and nested at
    most ``MAX_DEPTH`` deep: the skeleton of brackets left once the strings are cut out loses
    at least one and at most two levels each time its empty pairs are removed, so half as many
    removals as ``MAX_DEPTH`` emptying it bound the depth. False: ``_check`` decides."""
    if not data.isascii() or b"\\" in data:
        return False
    skeleton = data.translate(None, _NOT_STRUCTURE)
    # Strings holding no bracket are "" in the skeleton: one pass of replace takes them all
    # out, pairing each quote with the next, exactly when no quote is left (the first string
    # holding a bracket would keep its opening quote); else the regular expression cuts them.
    emptied = skeleton.replace(b'""', b"")
    skeleton = _STRING.sub(b"", skeleton) if b'"' in emptied else emptied
    for _ in range(MAX_DEPTH // 2):
        if not skeleton:
            return True
        skeleton = skeleton.replace(b"[]", b"").replace(b"{}", b"")
    return not skeleton


def decode_document(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> JsonValue:
    """Spec §4.3 A file a person handles (a receipt file, a kept tree head, an entry saved to
    a file): any one JSON text (RFC 8259: white space and key order free; a UTF-8 byte-order
    mark ignored) of a value canonical JSON can hold. What it holds that is signed or hashed is
    checked over its canonical encoding (``encode``), never over these bytes.

    Raises:
        MalformedInput: as ``decode`` (duplicate keys, floats, a lone surrogate, nesting, ...),
            except that bytes other than the canonical encoding are accepted.
    """
    value = _parse(data.removeprefix(b"\xef\xbb\xbf"), max_bytes=max_bytes)
    encode(value)  # refuses what canonical JSON cannot hold (a lone surrogate, too deep)
    return value


def _parse(data: bytes, *, max_bytes: int, keys_checked: bool = True) -> JsonValue:
    """JSON with the strict value rules of §4.2, whatever its form; duplicate keys are
    refused only if ``keys_checked`` (else the last member wins)."""
    if len(data) > max_bytes:
        raise MalformedInput(f"JSON document too large: {len(data)} bytes > {max_bytes}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"not UTF-8 at byte {exc.start}") from None
    try:
        value = json.loads(
            text,
            object_pairs_hook=_no_duplicate_keys if keys_checked else None,
            parse_float=_no_float,
            parse_int=_safe_int,
            parse_constant=_no_constant,
        )
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"invalid JSON: {exc.msg} at position {exc.pos}") from None
    except RecursionError:  # far deeper than MAX_DEPTH, which encode() checks after
        raise MalformedInput(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    return value  # type: ignore[no-any-return]


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise MalformedInput(f"duplicate JSON key: {key!r}")
            seen.add(key)
    return obj


def _no_float(text: str) -> None:
    raise MalformedInput(f"floats are not allowed in canonical JSON: {text}")


def _safe_int(text: str) -> int:
    # Bound the digits before int(): Python refuses (ValueError) beyond 4300 digits, and no
    # integer in the safe range has more than 16 digits and a sign.
    if len(text) > 17:
        raise MalformedInput(f"integer outside ±(2^53 - 1): {text[:20]}...")
    value = int(text)
    if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        raise MalformedInput(f"integer outside ±(2^53 - 1): {value}")
    return value


def _no_constant(text: str) -> None:
    raise MalformedInput(f"{text} is not allowed in JSON")
