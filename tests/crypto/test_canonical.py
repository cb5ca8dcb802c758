"""Spec §4 Canonical JSON: RFC 8785 encoding and a strict decoder."""

from __future__ import annotations

import json
import struct

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import canonical
from crypto.canonical import (
    _CANONICAL_PLAIN,
    _NOT_STRUCTURE,
    _STRING,
    MAX_DEPTH,
    JsonValue,
    _parse,
    _plain,
    decode,
    decode_document,
    encode,
)
from crypto.errors import MalformedInput, NonCanonicalEncoding
from tests.strategies import any_json_values, json_values


def test_rfc8785_section_3_2_3_sorting_example() -> None:
    # RFC 8785 §3.2.3: members sorted by UTF-16 code units (non-ASCII keys take the library path).
    value: JsonValue = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(encode(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_rfc8785_string_escapes() -> None:
    value: JsonValue = {"s": '\u0000\b\t\n\f\r"\\/\u001f\u007f\u00e9\u2028'}
    assert encode(value) == b'{"s":"\\u0000\\b\\t\\n\\f\\r\\"\\\\/\\u001f\x7f\xc3\xa9\xe2\x80\xa8"}'


@given(json_values)
def test_fast_path_agrees_with_rfc8785(value: JsonValue) -> None:
    assert encode(value) == rfc8785.dumps(value)


@given(json_values)
def test_decode_inverts_encode(value: JsonValue) -> None:
    assert decode(encode(value)) == value


NON_CANONICAL = {
    "white-space": b'{"a": 1}',
    "unsorted-keys": b'{"b":1,"a":2}',
    "escaped-non-ascii": b'{"a":"\\u00e9"}',
    "upper-case-escape": b'{"a":"\\u001F"}',
    "escaped-slash": b'{"a":"\\/"}',
    "negative-zero": b"-0",
    "trailing-newline": b"{}\n",
    "leading-space": b" {}",
}

# name: (the decoder's reason, the bytes)
MALFORMED = {
    "duplicate-keys": ("duplicate JSON key: 'a'", b'{"a":1,"a":1}'),
    "nested-duplicate-keys": ("duplicate JSON key: 'a'", b'{"x":{"a":1,"a":2}}'),
    # Keys in order around the duplicate; the duplicate before a float is the reason.
    "duplicate-keys-in-order": ("duplicate JSON key: 'a'", b'{"a":1,"b":2,"a":3}'),
    "duplicate-keys-then-float": ("duplicate JSON key: 'a'", b'{"x":{"a":1,"a":2},"y":1.5}'),
    "float-then-duplicate-keys": ("floats are not allowed", b'{"x":1.5,"y":{"a":1,"a":2}}'),
    "float": ("floats are not allowed in canonical JSON: 1.5", b'{"a":1.5}'),
    "exponent": ("floats are not allowed in canonical JSON: 1e3", b'{"a":1e3}'),
    "integer-as-float": ("floats are not allowed in canonical JSON: 1.0", b'{"a":1.0}'),
    "nan": ("NaN is not allowed in JSON", b'{"a":NaN}'),
    "infinity": ("Infinity is not allowed in JSON", b'{"a":Infinity}'),
    "too-big-integer": (r"integer outside ±\(2\^53 - 1\)", b'{"a":9007199254740992}'),
    "lone-surrogate": ("lone surrogate U\\+D800", b'{"a":"\\ud800"}'),
    "not-utf8": ("not UTF-8 at byte 6", b'{"a":"\xff"}'),
    "bom": ("invalid JSON: Unexpected UTF-8 BOM", b'\xef\xbb\xbf{"a":1}'),
    "truncated": ("invalid JSON: Expecting value", b'{"a":'),
    "trailing-garbage": ("invalid JSON: Extra data", b'{"a":1}x'),
    "deep-nesting": ("JSON nested deeper than 64 levels", b"[" * 100_000 + b"]" * 100_000),
    "nesting-65": ("JSON nested deeper than 64 levels", b"[" * 65 + b"]" * 65),
    "nesting-65-objects": ("JSON nested deeper than 64 levels", b'{"a":' * 64 + b"{}" + b"}" * 64),
    # Objects and arrays in turn, brackets inside strings: decode's bound on the skeleton.
    "nesting-65-mixed": (
        "JSON nested deeper than 64 levels",
        b'{"[":[' * 32 + b"{}" + b"]}" * 32,
    ),
    "single-quotes": ("invalid JSON: Expecting property name", b"{'a':1}"),
}


@pytest.mark.parametrize("name", NON_CANONICAL)
def test_decode_rejects_non_canonical(name: str) -> None:
    with pytest.raises(NonCanonicalEncoding, match=r"not in canonical form \(RFC 8785\)"):
        decode(NON_CANONICAL[name])


@pytest.mark.parametrize("name", MALFORMED)
def test_decode_rejects_malformed(name: str) -> None:
    reason, data = MALFORMED[name]
    with pytest.raises(MalformedInput, match=reason):
        decode(data)


def test_nesting_is_capped_at_64_levels_both_ways() -> None:
    """Spec §4.2: depth 64 is read and written; 65 is malformed, reading and writing."""
    assert decode(b"[" * 64 + b"]" * 64) == _nested(64)
    mixed = b'{"]]":[' * 32 + b"]}" * 32  # 64 levels, brackets in the keys
    assert encode(decode(mixed)) == mixed
    assert encode(_nested(64)) == b"[" * 64 + b"]" * 64
    too_deep: list[JsonValue] = [_nested(65), {"a": _nested(64)}, [1, [2, _nested(63)]]]
    for value in too_deep:
        with pytest.raises(MalformedInput, match="nested deeper than 64 levels"):
            encode(value)
    with pytest.raises(MalformedInput, match="nested deeper than 64 levels"):
        decode(b"[" * 65 + b"]" * 65)
    with pytest.raises(MalformedInput, match="nested deeper than 64 levels"):
        decode(b"[" * 100_000 + b"]" * 100_000)


def _nested(depth: int) -> JsonValue:
    value: JsonValue = []
    for _ in range(depth - 1):
        value = [value]
    return value


def test_decode_caps_size() -> None:
    with pytest.raises(MalformedInput, match="too large"):
        decode(b'"' + b"a" * 100 + b'"', max_bytes=50)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (1.5, "floats are not allowed in canonical JSON: 1.5"),
        (float("nan"), "floats are not allowed in canonical JSON: nan"),
        ({1: "x"}, "object key is not a string: 1"),
        (2**53, r"integer outside ±\(2\^53 - 1\): 9007199254740992"),
        (-(2**53), r"integer outside ±\(2\^53 - 1\): -9007199254740992"),
        ({"a": b"x"}, "no JSON notation for bytes"),
        ("\ud800", "lone surrogate U\\+D800"),
    ],
)
def test_encode_rejects_what_json_cannot_hold(value: object, reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason):
        encode(value)  # type: ignore[arg-type]


def test_huge_integer_literal_is_malformed_not_a_crash() -> None:
    """Python's int() refuses over 4300 digits with a plain ValueError; decode must not leak it."""
    with pytest.raises(MalformedInput, match=r"integer outside ±\(2\^53 - 1\): 1111"):
        decode(b'{"a":' + b"1" * 5000 + b"}")
    with pytest.raises(MalformedInput, match=r"integer outside ±\(2\^53 - 1\): -9999"):
        decode(b"-" + b"9" * 17)
    assert decode(b"-9007199254740991") == -(2**53 - 1)


# --- lone surrogates (issue 16 item 1): refused as MalformedInput, keys included ------------

LONE_SURROGATES = {
    # The reproduction: a non-ASCII sibling key sends encoding down the RFC 8785 path, which
    # sorted by UTF-16 and raised UnicodeEncodeError (an HTTP 500, a verifier traceback).
    "key-with-non-ascii-sibling": b'{"\\udc00":1,"\xc3\xa9":1}',
    "key-alone": b'{"\\udc00":1}',
    "high-surrogate-key": b'{"\\ud800":1,"a":1}',
    "nested-key": b'{"a":{"\\udfff":null,"\xc3\xa9":[]}}',
    "value": b'{"a":"\\udc00"}',
    "value-in-list": b'["x","\\udbff"]',
    "reversed-pair": b'"\\ude00\\ud83d"',
    "high-then-ascii": b'"\\ud83dA"',
}


@pytest.mark.parametrize("name", LONE_SURROGATES)
def test_decode_refuses_a_lone_surrogate_as_malformed(name: str) -> None:
    with pytest.raises(MalformedInput, match="lone surrogate"):
        decode(LONE_SURROGATES[name])


def test_a_surrogate_pair_is_one_character_not_a_lone_surrogate() -> None:
    # A pair escape is valid JSON for U+1F600; canonical form writes the character in UTF-8.
    with pytest.raises(NonCanonicalEncoding, match="not in canonical form"):
        decode(b'"\\ud83d\\ude00"')
    assert decode('"\U0001f600"'.encode()) == "\U0001f600"


@pytest.mark.parametrize(
    "value",
    [{"\udc00": 1, "é": 1}, {"\udc00": 1}, {"a": ["\ud800"]}, {"é": {"b\udfff": 0}}, "x\udc00"],
)
def test_encode_refuses_a_lone_surrogate_before_sorting(value: JsonValue) -> None:
    with pytest.raises(MalformedInput, match="lone surrogate"):
        encode(value)


def _has_lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    return False


def _paired(value: JsonValue) -> JsonValue:
    """What a JSON reader makes of ``value``'s escapes: a high surrogate followed by a low one
    is one character."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if isinstance(value, list):
        return [_paired(v) for v in value]
    if isinstance(value, dict):
        return {_paired(k): _paired(v) for k, v in value.items()}  # type: ignore[misc]
    return value


@given(any_json_values)
def test_encode_of_any_strings_is_bytes_or_malformed(value: JsonValue) -> None:
    if _has_lone_surrogate(value):
        with pytest.raises(MalformedInput, match="lone surrogate"):
            encode(value)
    else:
        assert decode(encode(value)) == value


@given(any_json_values, st.booleans())
def test_decode_of_any_escaped_strings_is_a_value_or_one_error_type(
    value: JsonValue, escape_all: bool
) -> None:
    # Every lone surrogate is written as its \uXXXX escape: by json.dumps (ensure_ascii), or
    # amid UTF-8 by the backslashreplace error handler.
    text = json.dumps(value, ensure_ascii=escape_all, sort_keys=True, separators=(",", ":"))
    data = text.encode("utf-8", "backslashreplace")
    if _has_lone_surrogate(_paired(value)):
        # Named as a lone surrogate; or pairing made two generated keys one, and the reader
        # found the duplicate first.
        with pytest.raises(MalformedInput, match=r"lone surrogate|duplicate JSON key"):
            decode(data)
        return
    try:
        decoded = decode(data)
    except NonCanonicalEncoding:
        return  # escaped non-ASCII, say
    except MalformedInput as exc:
        assert "duplicate JSON key" in str(exc)  # noqa: PT017 (only this reason may occur)
        return
    assert decoded == _paired(value)


# --- §4.2 files a person handles (issue 15 item 7) -------------------------------------------


@given(json_values, st.integers(min_value=0, max_value=4), st.booleans())
def test_a_document_in_any_json_form_reads_as_its_value(
    value: JsonValue, indent: int, bom: bool
) -> None:
    text = json.dumps(value, indent=indent or None, ensure_ascii=False, sort_keys=False)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    assert decode_document(data) == value
    assert encode(decode_document(data)) == encode(value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a": 1, "a": 2}', "duplicate JSON key"),
        (b'{"a": 1.0}', "floats are not allowed"),
        (b'{"a": 9007199254740992}', "integer outside"),
        (b'{"\\udc00": 1}', "lone surrogate"),
        (b'{"a": 1} {"b": 2}', "invalid JSON: Extra data"),
        (b'{"a": 1}\xc2\xa0', "invalid JSON: Extra data"),
        (b"\xef\xbb\xbf\xef\xbb\xbf{}", "invalid JSON"),
        (b"[" * 65 + b"]" * 65, "deeper than 64"),
        (b"\xff{}", "not UTF-8"),
    ],
)
def test_a_document_is_refused_for_what_no_form_excuses(data: bytes, reason: str) -> None:
    with pytest.raises(MalformedInput, match=reason) as caught:
        decode_document(data)
    assert not isinstance(caught.value, NonCanonicalEncoding)


def _plain_by_regex(data: bytes) -> bool:
    """``_plain`` as first written: every string cut out by the regular expression."""
    if not data.isascii() or b"\\" in data:
        return False
    skeleton = _STRING.sub(b"", data.translate(None, _NOT_STRUCTURE))
    for _ in range(MAX_DEPTH // 2):
        if not skeleton:
            return True
        skeleton = skeleton.replace(b"[]", b"").replace(b"{}", b"")
    return not skeleton


_BRACKETY_TEXT = st.text(alphabet="[]{}ab", max_size=4)
_BRACKETY_JSON = st.recursive(
    st.none() | st.integers(-5, 5) | _BRACKETY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_BRACKETY_TEXT, inner, max_size=4),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(_BRACKETY_JSON, st.integers(0, 70))
def test_plain_cuts_strings_out_as_the_regular_expression_does(
    value: JsonValue, depth: int
) -> None:
    """The skeleton's strings taken out by one replace, or by the regular expression when a
    string holds a bracket, bound the depth exactly as the regular expression alone."""
    data = json.dumps(value, separators=(",", ":")).encode()
    for wrapped in (data, b"[" * depth + data + b"]" * depth):
        assert _plain(wrapped) == _plain_by_regex(wrapped)


# --- the C pass (crypto/_canonical.c) that tells canonical bytes without re-encoding ----------

_SPACE = st.sampled_from(["", "", "", " ", "\n"])
_KEY = st.text(alphabet='ab\x7f[{"', max_size=2)


@st.composite
def _json_texts(draw: st.DrawFn, depth: int = 0) -> str:
    """JSON text in any form: keys in any order and repeated, white space, -0, escapes."""
    kind = draw(st.integers(0, 4 if depth < 3 else 2))
    if kind == 0:
        number = draw(st.integers(-3, 3))
        return "-0" if number == 0 and draw(st.booleans()) else str(number)
    if kind == 1:
        return draw(st.sampled_from(["true", "false", "null"]))
    if kind == 2:
        text = draw(st.text(alphabet='ab\x7f{[]"\\\t', max_size=3))
        return json.dumps(text, ensure_ascii=draw(st.booleans()))
    space = draw(_SPACE)
    if kind == 3:
        items = draw(st.lists(_json_texts(depth + 1), max_size=4))
        return "[" + space + ("," + space).join(items) + "]"
    keys = draw(st.lists(_KEY, max_size=4))
    members = [f"{json.dumps(key)}{space}:{draw(_json_texts(depth + 1))}" for key in keys]
    return "{" + ",".join(members) + "}"


def _canonical_by_reencoding(data: bytes) -> bool:
    """The reference: the document parses strictly and re-encodes to itself."""
    try:
        return encode(_parse(data, max_bytes=len(data))) == data
    except MalformedInput:
        return False


def _outcome(data: bytes) -> object:
    try:
        return decode(data)
    except MalformedInput as exc:
        return (type(exc), str(exc))


needs_c_pass = pytest.mark.skipif(_CANONICAL_PLAIN is None, reason="crypto._canonical not built")


@needs_c_pass
@settings(max_examples=1000, deadline=None)
@given(_json_texts(), st.integers(0, 3))
def test_the_c_pass_agrees_with_re_encoding(text: str, wrap: int) -> None:
    """On ASCII text without a backslash that json.loads reads, the C pass says canonical
    exactly when re-encoding gives the bytes back; on anything else it says no."""
    assert _CANONICAL_PLAIN is not None
    data = ("[" * wrap + text + "]" * wrap).encode("utf-8")
    try:
        json.loads(data)
    except ValueError:
        return
    if data.isascii() and b"\\" not in data:
        assert _CANONICAL_PLAIN(data) == _canonical_by_reencoding(data)
    else:
        assert not _CANONICAL_PLAIN(data)


@needs_c_pass
@settings(max_examples=300, deadline=None)
@given(_json_texts())
def test_decode_gives_the_same_verdict_with_and_without_the_c_pass(text: str) -> None:
    data = text.encode("utf-8")
    with_c_pass = _outcome(data)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(canonical, "_CANONICAL_PLAIN", None)
        assert _outcome(data) == with_c_pass


@needs_c_pass
@pytest.mark.parametrize(
    ("data", "canonical_form"),
    [
        (b'{"a":1,"b":[true,false,null,"x"]}', True),
        (b'{"a":1,"a":1}', False),  # a repeated key
        (b'{"b":1,"a":1}', False),  # keys out of order
        (b'{"a":1,"ab":1}', True),  # a key before its extension
        (b'{"ab":1,"a":1}', False),
        (b'{"a":{"z":1},"b":{"a":1}}', True),  # each object's keys apart
        (b'{"a":-0}', False),
        (b'{"a":-10}', True),
        (b'{"a": 1}', False),
        (b'["\x7f"]', True),  # DEL is written as it is
        (b'["\\u0041"]', False),  # an escape: the slow way decides
        (b'["\xc3\xa9"]', False),  # not ASCII: the slow way decides
        (b"[" * 64 + b"]" * 64, True),
        (b"[" * 65 + b"]" * 65, False),
    ],
)
def test_the_c_pass_on_examples(data: bytes, canonical_form: bool) -> None:
    assert _CANONICAL_PLAIN is not None
    assert _CANONICAL_PLAIN(data) is canonical_form


def test_a_string_holding_del_reads_back_both_ways() -> None:
    """DEL (0x7f) is ASCII that RFC 8785 does not escape; decode once refused encode's bytes."""
    value: JsonValue = {"a": "x\x7fy"}
    assert encode(value) == b'{"a":"x\x7fy"}'
    assert decode(encode(value)) == value
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(canonical, "_CANONICAL_PLAIN", None)
        assert decode(encode(value)) == value


# crypto._canonical.filled: a text with hex holes (verifier/_ballot_template.py) -------------------
def _holes(*spans: tuple[int, int]) -> bytes:
    return struct.pack(f"={2 * len(spans)}I", *(n for span in spans for n in span))


def test_filled_takes_lower_case_hex_in_the_holes_and_the_text_elsewhere() -> None:
    filled = canonical.FILLED
    assert filled is not None, "the C extension is not built"
    skeleton, holes = b'{"a":"0000","b":"00"}', _holes((6, 10), (17, 19))
    assert filled(b'{"a":"09af","b":"7e"}', skeleton, holes)
    assert not filled(b'{"a":"09aF","b":"7e"}', skeleton, holes)  # upper case
    assert not filled(b'{"a":"09a ","b":"7e"}', skeleton, holes)
    assert not filled(b'{"a":"09af","c":"7e"}', skeleton, holes)  # the text between holes
    assert not filled(b'{"a":"09af","b":"7e"]', skeleton, holes)  # the text after the last
    assert not filled(b'{"a":"09af","b":"7e"} ', skeleton, holes)  # another length
    assert filled(skeleton, skeleton, b"") is True
    assert not filled(b'{"a":"0000","b":"01"}', skeleton, b"")  # no holes: the text itself


@pytest.mark.parametrize(
    ("holes", "reason"),
    [
        (b"\x00" * 7, "pairs of 4-byte offsets"),
        (_holes((4, 6), (2, 3)), "out of order"),
        (_holes((3, 2)), "out of order"),
        (_holes((2, 99)), "out of the text"),
    ],
)
def test_filled_refuses_holes_that_are_not_in_order_in_the_text(holes: bytes, reason: str) -> None:
    assert canonical.FILLED is not None
    with pytest.raises(ValueError, match=reason):
        canonical.FILLED(b"0123456789", b"0123456789", holes)
