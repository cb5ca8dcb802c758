"""Spec §2 The group: encodings (one per element), arithmetic, constant-time exponentiation,
products (multi-exponentiation: tests/crypto/test_multiexp.py)."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crypto.errors import MalformedInput, NonCanonicalEncoding
from crypto.group import IDENTITY, G, N, P, Point, Scalar, g_pow, lift_x, product
from tests.strategies import points, scalars

# Public vectors: multiples of the secp256k1 generator (SEC 2; widely reproduced test values).
KNOWN_MULTIPLES = {
    1: "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    2: "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5",
    3: "02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9",
    N - 1: "0379be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
}


@pytest.mark.parametrize(("k", "encoding"), KNOWN_MULTIPLES.items())
def test_known_multiples_of_g(k: int, encoding: str) -> None:
    assert g_pow(Scalar(k)).to_hex() == encoding
    assert Point.from_hex(encoding) == g_pow(Scalar(k))


def _uncompressed(point: Point) -> bytes:
    # Recover y from the compressed encoding: y^2 = x^3 + 7 mod p, p = 3 mod 4.
    x = int.from_bytes(point.to_bytes()[1:], "big")
    y = pow(x**3 + 7, (P + 1) // 4, P)
    if y % 2 != point.to_bytes()[0] - 2:
        y = P - y
    return x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _off_curve_x() -> bytes:
    x = 1
    while True:
        try:
            lift_x(x.to_bytes(32, "big"))
        except MalformedInput:
            return x.to_bytes(32, "big")
        x += 1


G2 = g_pow(Scalar(2))
# name: (the decoder's reason, the encoding)
BAD_POINT_ENCODINGS = {
    "empty": ("point must be 33 bytes, got 0", b""),
    "truncated": ("point must be 33 bytes, got 32", G2.to_bytes()[:32]),
    "trailing-garbage": ("point must be 33 bytes, got 34", G2.to_bytes() + b"\x00"),
    "uncompressed": ("point must be 33 bytes, got 65", b"\x04" + _uncompressed(G2)),
    "uncompressed-prefix-33-bytes": (
        "point prefix must be 0x02 or 0x03, got 0x04",
        b"\x04" + G2.to_bytes()[1:],
    ),
    "hybrid-even": ("point must be 33 bytes, got 65", b"\x06" + _uncompressed(G2)),
    "hybrid-prefix-33-bytes": (
        "point prefix must be 0x02 or 0x03, got 0x06",
        b"\x06" + G2.to_bytes()[1:],
    ),
    "hybrid-odd-prefix-33-bytes": (
        "point prefix must be 0x02 or 0x03, got 0x07",
        b"\x07" + G2.to_bytes()[1:],
    ),
    "identity-with-garbage": (
        "point prefix must be 0x02 or 0x03, got 0x00",
        b"\x00" * 32 + b"\x01",
    ),
    "sec1-infinity-one-byte": ("point must be 33 bytes, got 1", b"\x00"),
    "x-equals-p": ("point not on curve", b"\x02" + P.to_bytes(32, "big")),
    "x-above-p": ("point not on curve", b"\x03" + (2**256 - 1).to_bytes(32, "big")),
    "off-curve-x": ("point not on curve", b"\x02" + _off_curve_x()),
    "bad-prefix": ("point prefix must be 0x02 or 0x03, got 0x05", b"\x05" + G2.to_bytes()[1:]),
}


@pytest.mark.parametrize("name", BAD_POINT_ENCODINGS)
def test_point_decoder_rejects(name: str) -> None:
    reason, encoding = BAD_POINT_ENCODINGS[name]
    with pytest.raises(MalformedInput, match=reason):
        Point.from_bytes(encoding)


def test_point_hex_must_be_lower_case() -> None:
    with pytest.raises(NonCanonicalEncoding, match="point must be lower-case hex"):
        Point.from_hex(G2.to_hex().upper())
    with pytest.raises(MalformedInput, match="point is not hex"):
        Point.from_hex("zz" + G2.to_hex()[2:])


def test_identity_encoding_is_33_zero_bytes() -> None:
    assert IDENTITY.to_bytes() == bytes(33)
    assert Point.from_bytes(bytes(33)) is IDENTITY
    assert IDENTITY.is_identity
    assert not G.is_identity


@given(points)
def test_point_encoding_round_trips(point: Point) -> None:
    assert Point.from_bytes(point.to_bytes()) == point
    assert Point.from_hex(point.to_hex()) == point
    assert len(point.to_bytes()) == 33


# name: (the decoder's reason, the encoding)
BAD_SCALARS = {
    "n": (r"scalar out of range \[0, n\)", N.to_bytes(32, "big")),
    "max": (r"scalar out of range \[0, n\)", (2**256 - 1).to_bytes(32, "big")),
    "short": ("scalar must be 32 bytes, got 31", bytes(31)),
    "long": ("scalar must be 32 bytes, got 33", bytes(33)),
}


@pytest.mark.parametrize("name", BAD_SCALARS)
def test_scalar_decoder_rejects(name: str) -> None:
    reason, encoding = BAD_SCALARS[name]
    with pytest.raises(MalformedInput, match=reason):
        Scalar.from_bytes(encoding)


def test_scalar_constructor_and_hex() -> None:
    with pytest.raises(MalformedInput, match=r"scalar out of range \[0, n\): 0xf"):
        Scalar(N)
    with pytest.raises(MalformedInput, match=r"scalar out of range \[0, n\): -0x1"):
        Scalar(-1)
    with pytest.raises(NonCanonicalEncoding, match="scalar must be lower-case hex"):
        Scalar.from_hex("AB" * 32)
    assert Scalar.from_hex((N - 1).to_bytes(32, "big").hex()) == Scalar(N - 1)
    assert Scalar.reduce(N + 5) == Scalar(5)
    with pytest.raises(ZeroDivisionError, match="zero scalar has no inverse"):
        Scalar(0).inverse()


@given(scalars, scalars)
def test_scalar_field_laws(a: Scalar, b: Scalar) -> None:
    assert (a + b) - b == a
    assert a * b == b * a
    assert -a + a == Scalar(0)
    if b:
        assert a * b * b.inverse() == a


@given(scalars, scalars)
def test_exponent_laws(a: Scalar, b: Scalar) -> None:
    assert g_pow(a) * g_pow(b) == g_pow(a + b)
    assert g_pow(a) ** b == g_pow(a * b)
    assert g_pow(a) / g_pow(b) == g_pow(a - b)
    assert g_pow(a).inverse() == g_pow(-a)


@given(points)
def test_identity_is_neutral(point: Point) -> None:
    assert point * IDENTITY == point
    assert IDENTITY * point == point
    assert point / point == IDENTITY
    assert point * point.inverse() == IDENTITY
    assert IDENTITY.inverse() == IDENTITY
    assert point ** Scalar(0) == IDENTITY
    assert IDENTITY ** Scalar(5) == IDENTITY
    assert point ** Scalar(N - 1) == point.inverse()


def test_points_pickle() -> None:
    assert pickle.loads(pickle.dumps(G2)) == G2
    assert pickle.loads(pickle.dumps(IDENTITY)) is IDENTITY


@given(st.lists(scalars, max_size=12))
def test_product_matches_folded_multiplication(exponents: list[Scalar]) -> None:
    expected = IDENTITY
    for k in exponents:
        expected = expected * g_pow(k)
    assert product(g_pow(k) for k in exponents) == expected


def test_product_of_many_crosses_chunks() -> None:
    ks = [Scalar(i + 1) for i in range(5000)]
    total = Scalar(sum(k.value for k in ks))
    assert product(g_pow(k) for k in ks) == g_pow(total)
    assert product([G, G.inverse()]) == IDENTITY
