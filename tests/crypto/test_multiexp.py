"""Spec §2.5 Variable-time exponentiation (crypto/multiexp.py): fixed-base tables,
multi-exponentiation by Strauss and by Pippenger's bucket method, the accumulator of §6.7; each
checked against the constant-time exponentiation of crypto/group.py or a discrete-log oracle."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto._pippenger import PIPPENGER_MIN_BASES, group_by_length, pippenger, pippenger_window
from crypto.errors import MalformedInput
from crypto.group import IDENTITY, G, N, Point, Scalar, _point_from_raw, g_pow, lift_x
from crypto.multiexp import (
    PACKED,
    FixedBase,
    MultiPowAccumulator,
    decode_packed,
    g_pow_vartime,
    multi_pow_vartime,
    packed_point,
    sum_packed,
)
from tests.crypto.native_tools import PATHS, bucket_spy
from tests.crypto.test_group import BAD_POINT_ENCODINGS, G2, KNOWN_MULTIPLES
from tests.strategies import nonzero_scalars, scalars


@pytest.mark.parametrize(("k", "encoding"), KNOWN_MULTIPLES.items())
def test_known_multiples_of_g(k: int, encoding: str) -> None:
    assert g_pow_vartime(Scalar(k)).to_hex() == encoding


@given(scalars)
def test_vartime_paths_agree_with_constant_time(k: Scalar) -> None:
    assert g_pow_vartime(k) == g_pow(k)


H = g_pow(Scalar(0xC0FFEE))
H_TABLE = FixedBase.precompute(H)


@given(scalars)
def test_fixed_base_table(k: Scalar) -> None:
    assert H_TABLE.pow_vartime(k) == H**k
    assert H_TABLE == H
    assert hash(H_TABLE) == hash(H)
    assert H_TABLE**k == H**k


@given(st.lists(st.tuples(st.sampled_from([G, H, H_TABLE, G2, IDENTITY]), scalars), max_size=6))
def test_multi_pow_matches_naive_product(terms: list[tuple[Point, Scalar]]) -> None:
    expected = IDENTITY
    for base, k in terms:
        expected = expected * base**k
    assert multi_pow_vartime(terms) == expected


@given(nonzero_scalars)
def test_multi_pow_cancelling_terms_give_identity(k: Scalar) -> None:
    assert multi_pow_vartime([(G, k), (g_pow(k), Scalar(N - 1))]) == IDENTITY
    assert multi_pow_vartime([(H_TABLE, k), (H, -k)]) == IDENTITY


def test_multi_pow_base_with_x_at_least_n() -> None:
    # A point whose x lies in [n, p) takes the fallback path of the double multiplication.
    x = N
    while True:
        try:
            base = lift_x(x.to_bytes(32, "big"))
            break
        except MalformedInput:
            x += 1
    a, b = Scalar(12345), Scalar(67890)
    assert multi_pow_vartime([(G, a), (base, b)]) == g_pow(a) * base**b


def test_tables_pickle() -> None:
    table = pickle.loads(pickle.dumps(H_TABLE))
    assert isinstance(table, FixedBase)
    assert table.pow_vartime(Scalar(7)) == H ** Scalar(7)


def test_identity_table() -> None:
    table = FixedBase.precompute(IDENTITY)
    assert table.pow_vartime(Scalar(9)) == IDENTITY


# Spec §2.5 Pippenger's bucket method ---------------------------------------------------------
# The oracle: bases g^x with known x, so that the product of b_i^k_i is g^(sum x_i·k_i), computed
# with scalar arithmetic and the constant-time g_pow, independently of the code under test.
_LOGS = [3, 5, 0xC0FFEE, N - 1, 2**128 + 1, 0xDEADBEEF**3 % N, 7, 11]
_POOL = [(x, g_pow(Scalar(x))) for x in _LOGS]
exponents = st.one_of(
    st.integers(min_value=1, max_value=300),
    st.integers(min_value=1, max_value=2**64),
    st.integers(min_value=1, max_value=2**128 - 1),
    st.integers(min_value=1, max_value=N - 1),
    st.sampled_from([1, N - 1, 2**128, 2**255, 255, 256]),
)


def _expected(terms: list[tuple[int, int]]) -> Point:
    return g_pow(Scalar.reduce(sum(x * k for x, k in terms)))


def _run_pippenger(terms: list[tuple[int, int]], window: int) -> Point:
    bases = [g_pow(Scalar(x))._raw for x, _ in terms]
    ks = [k for _, k in terms]
    raw = pippenger(bases, ks, group_by_length(ks), window)
    return IDENTITY if raw is None else _point_from_raw(raw)


@settings(max_examples=150, deadline=None)  # 40 terms, 12-bit windows: slow when loaded
@given(
    st.lists(st.tuples(st.sampled_from(_LOGS), exponents), min_size=1, max_size=40),
    st.integers(min_value=2, max_value=12),
    st.booleans(),
)
def test_pippenger_matches_the_oracle(
    terms: list[tuple[int, int]], window: int, cancel: bool
) -> None:
    """Any window width; duplicate bases; exponents of every length; sums that cancel."""
    if cancel:  # b^k · b^(n-k) = 1 for every term: the whole product is the identity
        terms = terms + [(x, N - k) for x, k in terms]
    result = _run_pippenger(terms, window)
    assert result == _expected(terms)
    if cancel:
        assert result == IDENTITY


def test_pippenger_small_cases() -> None:
    for window in (2, 4, 8, 11):
        assert _run_pippenger([(5, 1)], window) == g_pow(Scalar(5))
        assert _run_pippenger([(5, 3), (N - 5, 3)], window) == IDENTITY  # a bucket cancels
        assert _run_pippenger([(5, 2**255), (5, 2**255)], window) == _expected([(5, 2**256)])
        # Every base in one bucket, then a result passing through the identity.
        assert _run_pippenger([(7, 9)] * 50, window) == g_pow(Scalar(7 * 9 * 50))


def test_window_choice_follows_count_and_length() -> None:
    def window(count: int, bits: int) -> int:
        return pippenger_window([len(g) for g in group_by_length([2**bits - 1] * count)])

    assert window(10, 256) == 0  # one multiplication each is faster
    assert window(100, 256) == 0
    assert window(5000, 256) >= 6
    assert window(400, 128) > 0  # shorter exponents make the bucket method pay off sooner
    assert window(400, 256) <= window(400, 128) or window(400, 256) == 0
    assert window(100000, 256) >= window(1000, 256)


_MANY = [(g_pow(Scalar(x)), x) for x in range(2, 402)]


@settings(max_examples=15, deadline=None)
@given(
    st.lists(exponents.map(Scalar.reduce), min_size=len(_MANY), max_size=len(_MANY)),
    st.booleans(),
    st.sampled_from(PATHS),
)
def test_multi_pow_takes_the_bucket_path_for_many_bases(
    ks: list[Scalar], with_extras: bool, path: str
) -> None:
    terms: list[tuple[Point, Scalar]] = [(b, k) for (b, _), k in zip(_MANY, ks, strict=True)]
    total = sum(x * k.value for (_, x), k in zip(_MANY, ks, strict=True))
    if with_extras:  # g, a table, the identity, zero exponents: all around the bucket method
        terms += [(G, Scalar(5)), (H_TABLE, Scalar(6)), (IDENTITY, Scalar(7)), (G2, Scalar(0))]
        total += 5 + 6 * 0xC0FFEE
    # The bucket method is taken exactly when its window says it pays for these exponents (all
    # 256-bit ones may not: one multiplication each is then as fast).
    variable = [k.value for k in ks if k.value]
    counts = [len(g) for g in group_by_length(variable)]
    window = pippenger_window(counts, native=path == "c")
    with bucket_spy(path) as spy:
        result = multi_pow_vartime(terms)
    assert result == g_pow(Scalar.reduce(total))
    assert spy.call_count == (1 if window and len(variable) >= PIPPENGER_MIN_BASES else 0)


@pytest.mark.parametrize("path", PATHS)
def test_multi_pow_takes_the_bucket_path_for_many_short_exponents(path: str) -> None:
    ks = [Scalar(2**127 + 3 * x) for _, x in _MANY]
    terms = [(b, k) for (b, _), k in zip(_MANY, ks, strict=True)]
    total = sum(x * k.value for (_, x), k in zip(_MANY, ks, strict=True))
    with bucket_spy(path) as spy:
        result = multi_pow_vartime(terms)
    assert result == g_pow(Scalar.reduce(total))
    assert spy.call_count == 1


def test_multi_pow_with_many_bases_cancelling_to_identity() -> None:
    ks = [Scalar.reduce(x**5 + 2**100) for _, x in _MANY]
    terms = [(b, k) for (b, _), k in zip(_MANY, ks, strict=True)]
    terms += [(b, -k) for (b, _), k in zip(_MANY, ks, strict=True)]
    assert multi_pow_vartime(terms) == IDENTITY
    assert multi_pow_vartime([*terms, (G, Scalar(1))]) == G
    assert multi_pow_vartime([]) == IDENTITY
    assert multi_pow_vartime([(b, Scalar(0)) for b, _ in _MANY]) == IDENTITY
    assert multi_pow_vartime([(IDENTITY, Scalar(3))] * 500) == IDENTITY


# Spec §2.5 MultiPowAccumulator -----------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(_LOGS), exponents), max_size=60),
    st.lists(st.tuples(st.sampled_from(_LOGS), exponents), max_size=5),
    st.booleans(),
)
def test_accumulator_matches_the_oracle(
    encoded: list[tuple[int, int]], extra: list[tuple[int, int]], inverse: bool
) -> None:
    """Encoded bases (or their inverses), points, g, a table, and extra terms not kept."""
    acc = MultiPowAccumulator()
    acc.add_encoded([(g_pow(Scalar(x)).to_bytes(), k) for x, k in encoded], inverse=inverse)
    acc.add(G, 5)
    acc.add(H_TABLE, N + 6)  # exponents are taken mod n
    acc.add(G2, 7)
    acc.add(IDENTITY, 8)
    sign = -1 if inverse else 1
    kept = [(x, sign * k) for x, k in encoded] + [(1, 5), (0xC0FFEE, 6), (2, 7)]
    extras = [(g_pow(Scalar(x)), k) for x, k in extra]
    assert acc.compute(extras) == _expected(kept + extra)
    assert acc.compute() == _expected(kept)  # the extra terms were not kept


def test_accumulator_decodes_all_or_nothing() -> None:
    acc = MultiPowAccumulator()
    good = g_pow(Scalar(5)).to_bytes()
    acc.add_encoded([(good, 1), (IDENTITY.to_bytes(), 9), (good, 0)], inverse=True)
    assert acc.compute() == g_pow(Scalar(N - 5))
    for name, (reason, bad) in BAD_POINT_ENCODINGS.items():
        with pytest.raises(MalformedInput, match=reason):
            acc.add_encoded([(good, 1), (bad, 1)])
        assert acc.compute() == g_pow(Scalar(N - 5)), name  # nothing of the failed call added
    assert MultiPowAccumulator().compute() == IDENTITY


@given(scalars)
def test_constant_time_power_agrees_with_the_variable_time_paths(k: Scalar) -> None:
    # Point ** k goes through libsecp256k1's ECDH (constant time); multi_pow through its
    # variable-time multiplication and tables. Both must give the same element.
    assert H**k == multi_pow_vartime([(H, k)])
    assert H**k == H_TABLE.pow_vartime(k)


@pytest.mark.parametrize("k", [1, 2, N - 1, N - 2, 2**128, 2**255])
def test_constant_time_power_edge_exponents(k: int) -> None:
    assert H ** Scalar(k % N) == multi_pow_vartime([(H, Scalar(k % N))])


# --- the packed form (the verifier's fast reading of ballots) ---------------------------------

needs_packed = pytest.mark.skipif(not PACKED, reason="the C extension is not built")


@needs_packed
@settings(max_examples=20, deadline=None)
@given(
    st.lists(nonzero_scalars, min_size=1, max_size=40), st.lists(scalars, min_size=40, max_size=40)
)
def test_packed_points_sum_and_multiply_as_points(keys: list[Scalar], exps: list[Scalar]) -> None:
    points = [g_pow(k) for k in keys]
    packed = decode_packed(b"".join(p.to_bytes() for p in points))
    assert packed is not None
    assert packed == b"".join(packed_point(p) for p in points)
    assert sum_packed(packed) == g_pow(Scalar(sum(k.value for k in keys) % N))
    inverses = decode_packed(b"".join(p.to_bytes() for p in points), inverse=True)
    assert inverses is not None
    assert sum_packed(inverses) == g_pow(-Scalar(sum(k.value for k in keys) % N))
    # Zero exponents (mod n) included: they are dropped.
    exponents = [e.value + (N if i % 3 == 0 else 0) for i, e in enumerate(exps[: len(points)])]
    exponents[0] = 0
    terms = MultiPowAccumulator()
    terms.add_packed(packed, exponents)
    expected = multi_pow_vartime(
        [(p, Scalar(e % N)) for p, e in zip(points, exponents, strict=True)]
    )
    assert terms.compute() == expected


@needs_packed
def test_decode_packed_refuses_a_point_off_the_curve() -> None:
    good = g_pow(Scalar(7)).to_bytes()
    off_curve = b"\x02" + (5).to_bytes(32, "big")  # x^3 + 7 = 132 is not a square mod p
    assert decode_packed(good + off_curve) is None
    assert decode_packed(good) is not None


@needs_packed
def test_packed_forms_refuse_what_they_cannot_hold() -> None:
    with pytest.raises(ValueError, match="identity"):
        packed_point(IDENTITY)
    with pytest.raises(ValueError, match="one exponent per point"):
        MultiPowAccumulator().add_packed(packed_point(G), [1, 2])
    assert sum_packed(b"") == IDENTITY
