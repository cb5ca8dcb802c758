"""Spec §2.5 and §6.7 The C extension's loops (crypto/_native.c) and pure Python give the same
results and the same verdicts, named the same way: on the batch verifier's honest and tampered
proofs (every mutation of the §6.4 and §6.5 suites, an off-curve commitment, an identity
commitment), on bad point encodings (wrong length, uncompressed, hybrid, x >= p, x off the
curve), on exponents zero, out of range or summing to the identity, and on the fixed-base
tables. The install the tests run on must have built the extension."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest
from coincurve._libsecp256k1 import ffi

from crypto._accel import NATIVE, POINT_SIZE, raw_from_packed
from crypto.batch import BatchVerifier
from crypto.errors import InvalidBatch, MalformedInput, NonCanonicalEncoding
from crypto.group import IDENTITY, G, N, Point, Scalar, _point_from_raw, g_pow
from crypto.multiexp import FixedBase, MultiPowAccumulator, multi_pow_vartime
from crypto.proofs.disjunctive import DisjunctiveBranch
from tests.crypto.native_tools import PATHS, on_path
from tests.crypto.proofs.test_disjunctive import HONEST, RANGE_MUTATIONS
from tests.crypto.proofs.test_disjunctive_sum import SUM_HONEST, SUM_MUTATIONS
from tests.crypto.test_batch import POOL, Case, _add
from tests.crypto.test_group import BAD_POINT_ENCODINGS, G2


def _on_each_path(run: Callable[[], Any]) -> dict[str, Any]:
    """What ``run`` returns, or the exception it raises as (type, message), on each path."""
    out: dict[str, Any] = {}
    for path in PATHS:
        with on_path(path):
            try:
                out[path] = run()
            except (InvalidBatch, MalformedInput) as exc:
                out[path] = (type(exc).__name__, str(exc), getattr(exc, "failures", None))
    return out


def _verdicts(cases: list[Case]) -> Any:
    def run() -> Any:
        batch = BatchVerifier()
        for i, case in enumerate(cases):
            _add(batch, case, ("proof", i))
        batch.verify()
        return "verified"

    return _on_each_path(run)


def test_the_extension_is_built() -> None:
    assert NATIVE is not None


def test_an_honest_pool_verifies_on_both_paths() -> None:
    assert set(_verdicts(POOL).values()) == {"verified"}


@pytest.mark.parametrize("name", RANGE_MUTATIONS)
def test_a_tampered_range_proof_is_named_the_same_on_both_paths(name: str) -> None:
    cases = [*POOL[:30], RANGE_MUTATIONS[name](HONEST), *POOL[30:]]
    verdicts = _verdicts(cases)
    assert verdicts["c"] == verdicts["python"]
    kind, _, failures = verdicts["c"]
    assert kind == "InvalidBatch"
    assert [label for label, _ in failures] == [("proof", 30)]


@pytest.mark.parametrize("name", SUM_MUTATIONS)
def test_a_tampered_sum_proof_is_named_the_same_on_both_paths(name: str) -> None:
    verdicts = _verdicts([*POOL, SUM_MUTATIONS[name](SUM_HONEST)])
    assert verdicts["c"] == verdicts["python"]
    assert [label for label, _ in verdicts["c"][2]] == [("proof", len(POOL))]


def test_an_off_curve_commitment_is_named_the_same_on_both_paths() -> None:
    bad = RANGE_MUTATIONS["b-off-curve-rehashed"](HONEST)
    verdicts = _verdicts([*POOL[:40], bad])
    assert verdicts["c"] == verdicts["python"]
    assert verdicts["c"][2] == (
        (("proof", 40), "range proof: branch 0: B is not a point on the curve"),
    )


# The accumulator's decoding -----------------------------------------------------------------------
@pytest.mark.parametrize("name", BAD_POINT_ENCODINGS)
@pytest.mark.parametrize("inverse", [False, True])
def test_a_bad_encoding_is_refused_the_same_on_both_paths(name: str, inverse: bool) -> None:
    _, encoding = BAD_POINT_ENCODINGS[name]
    good = G2.to_bytes()

    def run() -> Any:
        acc = MultiPowAccumulator()
        acc.add_encoded([(good, 3), (encoding, 5), (good, 7)], inverse=inverse)
        return acc.compute()

    verdicts = _on_each_path(run)
    assert verdicts["c"] == verdicts["python"]
    assert verdicts["c"][0] == "MalformedInput"


def test_an_off_curve_point_after_a_bad_prefix_is_named_as_in_order() -> None:
    """The first bad term in order names the failure, whichever check it fails."""
    off = BAD_POINT_ENCODINGS["off-curve-x"][1]
    prefix = BAD_POINT_ENCODINGS["bad-prefix"][1]
    for terms in ([(off, 1), (prefix, 1)], [(prefix, 1), (off, 1)]):

        def run(terms: list[tuple[bytes, int]] = terms) -> Any:
            MultiPowAccumulator().add_encoded(terms, inverse=True)

        verdicts = _on_each_path(run)
        assert verdicts["c"] == verdicts["python"]
        assert ("not on curve" in verdicts["c"][1]) == (terms[0][0] == off)


@pytest.mark.parametrize("count", [1, 5, 40, 300])
def test_accumulated_products_are_equal_on_both_paths(count: int) -> None:
    """Encoded and Point terms, g, a table, the identity, zero exponents and exponents of any
    size, below and above the bucket method's threshold."""
    bases = [g_pow(Scalar(3 + i)) for i in range(count)]
    exponents = [secrets.randbits(secrets.choice([1, 64, 128, 256, 300])) for _ in range(count)]
    exponents[0] = 0
    table = FixedBase.precompute(G2)

    def run() -> Point:
        acc = MultiPowAccumulator()
        acc.add_encoded([(b.to_bytes(), k) for b, k in zip(bases, exponents, strict=True)])
        acc.add_encoded([(IDENTITY.to_bytes(), 5), (bases[-1].to_bytes(), N - 1)], inverse=True)
        acc.add(G, 11)
        acc.add(table, 13)
        return acc.compute([(bases[0], 17), (G2, 19)])

    expected = Scalar.reduce(
        sum(k * (3 + i) for i, k in enumerate(exponents)) - (N - 1) * (2 + count) + 11 + 17 * 3
    )
    results = _on_each_path(run)
    assert results["c"] == results["python"] == g_pow(expected) * g_pow_g2(Scalar(13 + 19))


def g_pow_g2(k: Scalar) -> Point:
    return G2**k


@pytest.mark.parametrize("count", [40, 400])
def test_sums_cancelling_to_the_identity_are_the_identity_on_both_paths(count: int) -> None:
    terms = [(g_pow(Scalar(2 + i)), Scalar.reduce(secrets.randbits(256))) for i in range(count)]
    terms += [(b, -k) for b, k in terms]
    results = _on_each_path(lambda: multi_pow_vartime(terms))
    assert results["c"] == results["python"] == IDENTITY
    results = _on_each_path(lambda: multi_pow_vartime([*terms, (G2, Scalar(1))]))
    assert results["c"] == results["python"] == G2


def test_fixed_base_tables_are_the_same_on_both_paths() -> None:
    tables = _on_each_path(lambda: FixedBase.precompute(G2))
    c, python = tables["c"], tables["python"]
    size = len(c._entry_pointers) * POINT_SIZE
    assert bytes(ffi.buffer(c._table, size)) == bytes(ffi.buffer(python._table, size))
    k = Scalar.reduce(secrets.randbits(256))
    assert c.pow_vartime(k) == python.pow_vartime(k) == G2**k


# Pippenger's signed windows in C, against the group --------------------------------------------
def _native_sum(terms: list[tuple[int, int]], c: int) -> Point:
    """NATIVE.pippenger of g^x_i to the k_i (any 256-bit k_i), with c-bit windows."""
    assert NATIVE is not None
    points = b"".join(bytes(ffi.buffer(g_pow(Scalar(x))._raw, POINT_SIZE)) for x, _ in terms)
    exponents = b"".join(k.to_bytes(32, "little") for _, k in terms)
    out = NATIVE.pippenger(points, exponents, c)
    return IDENTITY if out is None else _point_from_raw(raw_from_packed(out))


# Exponents whose signed digits carry through every window, sit on the bucket boundaries
# (2^(c-1) stays, 2^(c-1) + 1 turns negative), or fill all 256 bits.
_EDGES = [1, 2**256 - 1, N - 1, 2**255, 2**128 - 1]
_EDGES += [2 ** (c - 1) + e for c in range(1, 16) for e in (0, 1)]


@pytest.mark.parametrize("c", range(1, 16))
def test_signed_windows_sum_as_the_group_does(c: int) -> None:
    """Every width the extension takes, on edge and random exponents, bases repeated (a
    bucket holding a point and its negation) and exponents that cancel."""
    rng = secrets.SystemRandom()
    terms = [(3 + i, k) for i, k in enumerate(_EDGES)]
    terms += [(7, rng.getrandbits(rng.choice([8, 64, 128, 256]))) for _ in range(40)]
    terms += [(7, N - 5), (7, 5)]  # cancel each other
    expected = g_pow(Scalar.reduce(sum(x * k for x, k in terms)))
    assert _native_sum(terms, c) == expected
    assert _native_sum([(11, 2**c), (11, N - 2**c)], c) == IDENTITY


# The extension's own arguments --------------------------------------------------------------------
def test_the_extension_refuses_malformed_arguments() -> None:
    assert NATIVE is not None
    point = bytes(ffi.buffer(G._raw, POINT_SIZE))
    with pytest.raises(ValueError, match="33-byte"):
        NATIVE.parse(b"\x02" * 34, False)
    assert NATIVE.parse(G.to_bytes() + BAD_POINT_ENCODINGS["x-equals-p"][1], False) == 1
    with pytest.raises(ValueError, match="bad arguments"):
        NATIVE.pippenger(point, bytes(31), 8)  # one point, no whole exponent
    with pytest.raises(ValueError, match="bad arguments"):
        NATIVE.pippenger(point, bytes(32), 16)  # window too wide
    assert NATIVE.pippenger(point, bytes(32), 8) is None  # G^0
    with pytest.raises(ValueError, match="bad arguments"):
        NATIVE.table(point[:63], 32, 255)


# The branch parser's fast path --------------------------------------------------------------------
def _branch_json() -> dict[str, str]:
    return HONEST.proof.branches[0].to_json()


@pytest.mark.parametrize(
    ("field", "edit", "error", "reason"),
    [
        ("a", str.upper, NonCanonicalEncoding, "lower-case"),
        ("challenge", str.upper, NonCanonicalEncoding, "lower-case"),
        ("b", lambda t: t[:2] + " " + t[3:], MalformedInput, "not hex"),
        ("response", lambda t: f"{N:064x}", MalformedInput, "out of range"),
        ("challenge", lambda t: t + "00", MalformedInput, "64 hex digits, got 66"),
        ("a", lambda t: "04" + t[2:], MalformedInput, "prefix"),
        ("b", lambda t: "00" * 33, None, ""),  # the identity: well-formed, parsed slowly
    ],
)
def test_the_branch_fast_path_leaves_every_odd_field_to_the_named_checks(
    field: str, edit: Callable[[str], str], error: type[Exception] | None, reason: str
) -> None:
    value = _branch_json()
    value[field] = edit(value[field])
    if error is None:
        assert DisjunctiveBranch.from_json(value).to_json() == value
        return
    with pytest.raises(error, match=reason):
        DisjunctiveBranch.from_json(value)
