"""Spec §4 known answers: tests/vectors/canonical/canonical.json, with crypto/canonical.py.

The booth's JavaScript checks the same file (booth/tests/vectors.test.mjs)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785

from crypto import canonical
from crypto.errors import MalformedInput, NonCanonicalEncoding
from tests.vectors import load

VECTOR = load("canonical/canonical")


@pytest.mark.parametrize("case", VECTOR["encode"], ids=lambda c: c["description"])
def test_encode(case: dict[str, Any]) -> None:
    value = json.loads(case["source"])
    assert canonical.encode(value).hex() == case["canonical"]
    # The reference RFC 8785 encoder agrees, and the bytes read back unchanged.
    assert bytes(rfc8785.dumps(value)).hex() == case["canonical"]
    assert (
        canonical.encode(canonical.decode(bytes.fromhex(case["canonical"]))).hex()
        == case["canonical"]
    )


@pytest.mark.parametrize("case", VECTOR["accepted"], ids=lambda c: c["input"][:24])
def test_accepted(case: dict[str, Any]) -> None:
    data = bytes.fromhex(case["input"])
    assert canonical.encode(canonical.decode(data)) == data


@pytest.mark.parametrize("case", VECTOR["rejected"], ids=lambda c: c["reason"])
def test_rejected(case: dict[str, Any]) -> None:
    kind = NonCanonicalEncoding if case["error"] == "non_canonical" else MalformedInput
    with pytest.raises(kind) as caught:
        canonical.decode(bytes.fromhex(case["input"]))
    assert (type(caught.value) is NonCanonicalEncoding) == (case["error"] == "non_canonical")
