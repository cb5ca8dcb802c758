"""Spec §8.3 reading a code: tests/vectors/credentials/reading.json, with crypto/credentials.py.

The booth's JavaScript checks the same file (booth/tests/vectors.test.mjs)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crypto.credentials import CredentialCode
from crypto.errors import MalformedInput
from tests.vectors import load

VECTOR = load("credentials/reading")


@pytest.mark.parametrize("case", VECTOR["cases"], ids=lambda c: c["description"])
def test_reading(case: dict[str, Any]) -> None:
    if case["accepted"]:
        code = CredentialCode.parse(case["typed"])
        assert code.normalised().decode() == case["normalised"]
        assert code.formatted() == VECTOR["code"]
        return
    expected = {
        "character": re.escape(
            f"{case.get('character')!r} (character {case.get('position')}) is not used"
        ),
        "length": f"has 25 characters \\(5 groups of 5\\), got {case.get('length')}$",
        "check": "a character is mistyped or two are swapped",
    }[case["reason"]]
    with pytest.raises(MalformedInput, match=expected):
        CredentialCode.parse(case["typed"])
