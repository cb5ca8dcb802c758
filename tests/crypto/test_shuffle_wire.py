"""Spec §6.8 The wire form of a proof of a shuffle: round trips, and a strict reader that refuses
every non-canonical or malformed field, naming it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto import canonical
from crypto.errors import MalformedInput, NonCanonicalEncoding
from crypto.group import N, P
from crypto.shuffle import ShuffleProof, check_shuffle_proof
from tests.crypto.shuffle_cases import honest

SIZE = 3
POINT_FIELDS: list[tuple[str | int, ...]] = [
    ("permutation_commitment", 0),
    ("chain", 2),
    ("commitments", "a"),
    ("commitments", "b", 1),
    ("commitments", "c"),
    ("commitments", "d"),
    ("commitments", "f", "alpha"),
    ("commitments", "f", "beta"),
]
SCALAR_FIELDS: list[tuple[str | int, ...]] = [
    ("responses", "a"),
    ("responses", "b", 0),
    ("responses", "c"),
    ("responses", "d"),
    ("responses", "e", 2),
    ("responses", "f"),
]
LIST_FIELDS: list[tuple[str | int, ...]] = [
    ("permutation_commitment",),
    ("chain",),
    ("commitments", "b"),
    ("responses", "b"),
    ("responses", "e"),
]


def _wire() -> dict[str, Any]:
    return copy.deepcopy(honest(SIZE).proof.to_json())


def _at(wire: Any, path: tuple[str | int, ...]) -> tuple[Any, str | int]:
    for key in path[:-1]:
        wire = wire[key]
    return wire, path[-1]


def _mutated(path: tuple[str | int, ...], change: Callable[[Any], Any]) -> dict[str, Any]:
    wire = _wire()
    parent, key = _at(wire, path)
    parent[key] = change(parent[key])
    return wire


def _name(path: tuple[str | int, ...]) -> str:
    """How the reader names a field: shuffle proof.commitments.b[1]."""
    out = "shuffle proof"
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else f".{key}"
    return out


def test_round_trip_through_canonical_json() -> None:
    for size in (0, 1, SIZE):
        proof = honest(size).proof
        data = canonical.encode(proof.to_json())
        parsed = ShuffleProof.from_json(canonical.decode(data), size=size)
        assert parsed == proof
        check_shuffle_proof(parsed, honest(size).statement)


def test_the_wire_form_has_the_spec_fields() -> None:
    wire = _wire()
    assert set(wire) == {"permutation_commitment", "chain", "commitments", "responses"}
    assert set(wire["commitments"]) == {"a", "b", "c", "d", "f"}
    assert set(wire["commitments"]["f"]) == {"alpha", "beta"}
    assert set(wire["responses"]) == {"a", "b", "c", "d", "e", "f"}
    assert "challenge" not in canonical.encode(wire).decode()


Mutation = tuple[Callable[[str], Any], type[MalformedInput], str]
POINT_MUTATIONS: dict[str, Mutation] = {
    "upper-case": (lambda h: h.upper(), NonCanonicalEncoding, "lower-case hex"),
    "short": (lambda h: h[:-2], MalformedInput, "must be 66 hex digits, got 64"),
    "long": (lambda h: h + "00", MalformedInput, "must be 66 hex digits, got 68"),
    "uncompressed-0x04": (lambda h: "04" + h[2:], MalformedInput, "0x02 or 0x03, got 0x04"),
    "zero-prefix": (lambda h: "00" + h[2:], MalformedInput, "0x02 or 0x03, got 0x00"),
    "x>=p": (lambda h: "02" + (P + 1).to_bytes(32, "big").hex(), MalformedInput, "not on curve"),
    "off-curve": (lambda h: "02" + (5).to_bytes(32, "big").hex(), MalformedInput, "not on curve"),
    "not-a-string": (lambda h: 12, MalformedInput, "must be a hex string, got int"),
}  # fmt: skip
SCALAR_MUTATIONS: dict[str, Mutation] = {
    "upper-case": (lambda h: h.upper(), NonCanonicalEncoding, "lower-case hex"),
    "short": (lambda h: h[:-2], MalformedInput, "must be 64 hex digits, got 62"),
    "n": (lambda h: N.to_bytes(32, "big").hex(), MalformedInput, "scalar out of range"),
    "2^256-1": (lambda h: (2**256 - 1).to_bytes(32, "big").hex(), MalformedInput, "out of range"),
    "null": (lambda h: None, MalformedInput, "must be a hex string"),
}
FIELD_CASES = [
    pytest.param(path, mutation, id=f"{_name(path)}:{name}")
    for fields, mutations in ((POINT_FIELDS, POINT_MUTATIONS), (SCALAR_FIELDS, SCALAR_MUTATIONS))
    for path in fields
    for name, mutation in mutations.items()
]


@pytest.mark.parametrize(("path", "mutation"), FIELD_CASES)
def test_a_bad_point_or_scalar_is_refused_naming_its_field(
    path: tuple[str | int, ...], mutation: Mutation
) -> None:
    change, error, message = mutation
    with pytest.raises(error, match=message) as info:
        ShuffleProof.from_json(_mutated(path, change), size=SIZE)
    assert str(info.value).startswith(_name(path))
    assert type(info.value) is error


@pytest.mark.parametrize("path", LIST_FIELDS, ids=_name)
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda items: items[:-1], "expected 3 items, got 2"),
        (lambda items: [*items, items[0]], "at most 3 items, got 4"),
        (lambda items: {"0": items[0]}, "must be a list, got dict"),
    ],
    ids=["one-short", "one-more", "not-a-list"],
)
def test_a_list_of_another_length_than_n_is_refused(
    path: tuple[str | int, ...], change: Callable[[list[str]], Any], message: str
) -> None:
    wire = _mutated(path, change)
    with pytest.raises(MalformedInput, match=message):
        ShuffleProof.from_json(wire, size=SIZE)


@pytest.mark.parametrize(
    ("where", "edit", "message"),
    [
        ((), lambda o: o.pop("chain"), "missing field\\(s\\) chain"),
        ((), lambda o: o.update(challenge="00" * 32), "unknown field\\(s\\) challenge"),
        (("commitments",), lambda o: o.pop("f"), "commitments: missing field\\(s\\) f"),
        (("commitments", "f"), lambda o: o.update(gamma="00"), "unknown field\\(s\\) gamma"),
        (("responses",), lambda o: o.update(g="00" * 32), "responses: unknown field\\(s\\) g"),
        (("responses",), lambda o: o.pop("e"), "responses: missing field\\(s\\) e"),
    ],
    ids=["no-chain", "extra-challenge", "no-f", "extra-in-f", "extra-response", "no-e"],
)
def test_missing_and_unknown_fields_are_refused(
    where: tuple[str, ...], edit: Callable[[dict[str, Any]], object], message: str
) -> None:
    wire = _wire()
    target: Any = wire
    for key in where:
        target = target[key]
    edit(target)
    with pytest.raises(MalformedInput, match=message):
        ShuffleProof.from_json(wire, size=SIZE)


def test_n_comes_from_the_statement_not_from_the_proof() -> None:
    with pytest.raises(MalformedInput, match="permutation_commitment: at most 2 items, got 3"):
        ShuffleProof.from_json(_wire(), size=2)
    with pytest.raises(MalformedInput, match="must be a JSON object"):
        ShuffleProof.from_json([], size=0)


def test_the_identity_decodes_and_is_left_to_the_verifier() -> None:
    wire = _mutated(("chain", 0), lambda _: "00" * 33)
    proof = ShuffleProof.from_json(wire, size=SIZE)
    assert proof.chain[0].is_identity


@settings(max_examples=25)
@given(st.sampled_from(POINT_FIELDS + SCALAR_FIELDS), st.integers(min_value=0, max_value=65))
def test_any_single_hex_digit_changed_never_verifies(path: tuple[str | int, ...], at: int) -> None:
    """A flipped digit either fails to parse or fails to verify; it never passes."""
    case = honest(SIZE)

    def flip(text: str) -> str:
        k = at % len(text)
        digit = "0" if text[k] != "0" else "1"
        return text[:k] + digit + text[k + 1 :]

    try:
        proof = ShuffleProof.from_json(_mutated(path, flip), size=SIZE)
    except MalformedInput:
        return
    with pytest.raises(Exception, match="shuffle proof") as info:
        check_shuffle_proof(proof, case.statement)
    assert type(info.value).__name__ == "InvalidProof"
