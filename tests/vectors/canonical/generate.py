"""Write tests/vectors/canonical/canonical.json: known answers for spec §4 canonical JSON.

Usage: ``.venv/bin/python -m tests.vectors.canonical.generate``. Three lists:

* ``encode``: a value (written as ordinary, non-canonical JSON in ``source``) and the RFC 8785
  bytes crypto/canonical.py gives it: key order by UTF-16 code units, string escapes, integers
  at the §4.1 bounds;
* ``accepted``: canonical bytes the strict reader (§4.2) accepts and re-encodes unchanged;
* ``rejected``: bytes it refuses, each with the error (``malformed`` for (1)-(4),
  ``non_canonical`` for (5)) and the reason.

tests/crypto/test_canonical_vectors.py checks every case with crypto/canonical.py, and
booth/tests/vectors.test.mjs with booth/js/canonical.js.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from crypto import canonical
from crypto.errors import MalformedInput, NonCanonicalEncoding
from tests.vectors._generate import write_json

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/canonical/generate.py (spec §4, crypto/canonical.py)"

ENCODE = [
    ('{"b": 2, "a": 1, "c": {"z": [], "y": {}}}', "members sorted, no white space"),
    ('{"\\uff01": 1, "\\ud83d\\ude00": 2, "\\u00e9": 3, "e": 4}', "sorted by UTF-16 code units"),
    ('["\\u0000\\u001f\\u007f", "\\"\\\\/", "\\b\\f\\n\\r\\t"]', "escapes RFC 8785 prescribes"),
    ('["\\u2028\\u2029", "\\u00e9", "\\ud83d\\uddf3"]', "non-ASCII written as UTF-8"),
    ("[9007199254740991, -9007199254740991, 0, -1]", "integers at the bounds"),
    ('{"__proto__": {"x": true}, "constructor": null}', "member names that are special in JS"),
    ('[true, false, null, "", [], {}]', "literals and empty containers"),
]

ACCEPTED = [
    b'{"a":1,"b":[true,false,null]}',
    b"9007199254740991",
    b"-9007199254740991",
    b'"caf\xc3\xa9 \xf0\x9f\x97\xb3"',
    b'{"":0}',
    b'"\\u001f"',
    b'{"__proto__":1}',
    b"[" * 64 + b"]" * 64,
    b'{"a":' * 63 + b"{}" + b"}" * 63,
]

REJECTED: list[tuple[bytes, str]] = [
    (b'{"a":1,"a":1}', "duplicate member name"),
    (b'{"a":1.0}', "a fraction"),
    (b"1e3", "an exponent"),
    (b"NaN", "NaN"),
    (b"[-Infinity]", "-Infinity"),
    (b"9007199254740992", "integer above 2^53 - 1"),
    (b"-9007199254740992", "integer below -(2^53 - 1)"),
    (b"123456789012345678901", "integer far out of range"),
    (b"\xef\xbb\xbf{}", "a UTF-8 byte-order mark"),
    (b'"\xc3"', "truncated UTF-8"),
    (b'"\xed\xa0\x80"', "a surrogate encoded in UTF-8"),
    (b'"\\ud800"', "an escaped lone surrogate"),
    (b'"\\udc00x"', "an escaped lone low surrogate"),
    (b'"a\x01"', "an unescaped control character"),
    (b'"\\x"', "an invalid escape"),
    (b"[1,]", "a trailing comma"),
    (b"{", "truncated"),
    (b"{} {}", "trailing data"),
    (b"01", "a leading zero"),
    (b"", "empty"),
    (b"nul", "a misspelt literal"),
    (b'{"b":1,"a":2}', "members out of order"),
    (b'{"a": 1}', "insignificant white space"),
    (b" 1", "leading white space"),
    (b"1\n", "trailing newline"),
    (b'"\\u0041"', "an unnecessary escape"),
    (b'"\\/"', "an escaped solidus"),
    (b'"\\u00e9"', "a non-ASCII character escaped"),
    (b'"\\u001F"', "upper-case hex in an escape"),
    (b"-0", "negative zero"),
    (b'{"\xc3\xa9":1,"f":2}', "members out of UTF-16 order"),
    (b"[" * 65 + b"]" * 65, "arrays nested 65 deep (the limit is 64)"),
    (b'{"a":' * 64 + b"{}" + b"}" * 64, "objects nested 65 deep"),
    (b'[{"a":' * 32 + b"[]" + b"}]" * 32, "arrays and objects nested 65 deep"),
    (b"[" * 5000 + b"]" * 5000, "arrays nested 5,000 deep"),
    (b'{"a":[1,' + b"[" * 64 + b"]" * 64 + b"]}", "too deep, and canonical apart from that"),
    (b'{"b":1,"a":' + b"[" * 64 + b"]" * 64 + b"}", "too deep and members out of order"),
]


def _error(data: bytes) -> str:
    try:
        canonical.decode(data)
    except NonCanonicalEncoding:
        return "non_canonical"
    except MalformedInput:
        return "malformed"
    raise AssertionError(f"accepted {data!r}")


def main() -> None:
    encode: list[dict[str, Any]] = []
    for source, description in ENCODE:
        encoded = canonical.encode(json.loads(source))
        encode.append({"source": source, "description": description, "canonical": encoded.hex()})
    for data in ACCEPTED:
        assert canonical.encode(canonical.decode(data)) == data
    document = {
        "source": SOURCE,
        "description": (
            "Spec §4.1 RFC 8785 encodings of values given as ordinary JSON, §4.2 canonical bytes "
            "accepted, and bytes refused with the error (malformed or non_canonical) and reason"
        ),
        "encode": encode,
        "accepted": [{"input": data.hex()} for data in ACCEPTED],
        "rejected": [
            {"input": data.hex(), "error": _error(data), "reason": reason}
            for data, reason in REJECTED
        ],
    }
    write_json(HERE / "canonical.json", document)


if __name__ == "__main__":
    main()
