"""Spec §5 ElGamal: keys, encryption, re-encryption, homomorphic sums, decoding, embedding."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto.elgamal import (
    EMBEDDING_CAPACITY,
    MAX_DISCRETE_LOG_BOUND,
    Ciphertext,
    PublicKey,
    SecretKey,
    aggregate,
    decrypt,
    decrypt_bytes,
    decrypt_to_point,
    discrete_log,
    embed,
    encrypt,
    encrypt_bytes,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
    extract,
    re_encrypt,
    re_encrypt_with_randomness,
)
from crypto.errors import MalformedInput, NonCanonicalEncoding
from crypto.group import IDENTITY, G, N, P, Point, Scalar, g_pow, lift_x
from crypto.multiexp import FixedBase
from tests.strategies import (
    ciphertexts,
    embeddable,
    key_pairs,
    nonzero_scalars,
    points,
    scalars,
    small_messages,
)

SK = SecretKey(Scalar(0xE1EC7))
PK = SK.public_key()
PK_TABLE = PK.precompute()


# §5.1 Keys ------------------------------------------------------------------------------------
def test_public_key_is_g_to_the_secret() -> None:
    assert PK.element == g_pow(SK.scalar)
    assert PublicKey.from_hex(PK.to_hex()) == PK
    assert PK.to_bytes() == PK.element.to_bytes()


def test_identity_is_not_a_public_key() -> None:
    with pytest.raises(MalformedInput, match="the identity is not a valid public key"):
        PublicKey(IDENTITY)
    with pytest.raises(MalformedInput, match="the identity is not a valid public key"):
        PublicKey.from_hex(IDENTITY.to_hex())
    with pytest.raises(NonCanonicalEncoding, match="point must be lower-case hex"):
        PublicKey.from_hex(PK.to_hex().upper())


def test_zero_is_not_a_secret_key() -> None:
    with pytest.raises(MalformedInput, match="zero is not a valid secret key"):
        SecretKey(Scalar(0))


def test_generated_keys_differ_and_repr_hides_the_secret() -> None:
    a, b = SecretKey.generate(), SecretKey.generate()
    assert a != b
    assert hex(a.scalar.value)[2:] not in repr(a)
    assert "secret" in repr(a)


def test_precomputed_key_is_the_same_key() -> None:
    assert isinstance(PK_TABLE.element, FixedBase)
    assert PK_TABLE == PK
    assert PK_TABLE.precompute() is PK_TABLE


# §5.2 Exponential encryption ------------------------------------------------------------------
@given(key_pairs, small_messages)
def test_decrypt_inverts_encrypt(pair: tuple[SecretKey, PublicKey], m: int) -> None:
    sk, pk = pair
    ciphertext, r = encrypt(pk, m)
    assert decrypt(sk, ciphertext, bound=1000) == m
    assert ciphertext == encrypt_with_randomness(pk, m, randomness=r)
    assert ciphertext.alpha == g_pow(r)


@given(small_messages, nonzero_scalars)
def test_encryption_matches_the_spec_formula(m: int, r: Scalar) -> None:
    ciphertext = encrypt_with_randomness(PK, m, randomness=r)
    assert ciphertext.alpha == G**r
    assert ciphertext.beta == G ** Scalar(m) * PK.element**r
    assert encrypt_with_randomness(PK_TABLE, m, randomness=r) == ciphertext


def test_encrypting_zero_and_zero_randomness() -> None:
    r = Scalar(77)
    assert encrypt_with_randomness(PK, 0, randomness=r) == Ciphertext(g_pow(r), PK.element**r)
    assert encrypt_with_randomness(PK, 0, randomness=Scalar(0)) == Ciphertext(IDENTITY, IDENTITY)
    assert encrypt_with_randomness(PK, N - 1, randomness=Scalar(0)).beta == G.inverse()


@pytest.mark.parametrize("m", [-1, N, N + 5])
def test_message_out_of_range_is_refused(m: int) -> None:
    with pytest.raises(MalformedInput, match=rf"message must be an integer in \[0, n\), got {m}$"):
        encrypt(PK, m)


def test_fresh_encryptions_differ() -> None:
    assert encrypt(PK, 1)[0] != encrypt(PK, 1)[0]


# §5.3 Re-encryption ---------------------------------------------------------------------------
@given(key_pairs, small_messages)
def test_re_encryption_keeps_the_plaintext_and_changes_the_ciphertext(
    pair: tuple[SecretKey, PublicKey], m: int
) -> None:
    sk, pk = pair
    ciphertext, r = encrypt(pk, m)
    again, r2 = re_encrypt(pk, ciphertext)
    assert again != ciphertext
    assert decrypt(sk, again, bound=1000) == m
    assert again == encrypt_with_randomness(pk, m, randomness=r + r2)
    assert again == re_encrypt_with_randomness(pk, ciphertext, randomness=r2)


@given(embeddable)
def test_re_encryption_keeps_an_embedded_plaintext(data: bytes) -> None:
    ciphertext, _ = encrypt_bytes(PK, data)
    again, _ = re_encrypt(PK, ciphertext)
    assert again != ciphertext
    assert decrypt_bytes(SK, again) == data


# §5.4 Homomorphic addition --------------------------------------------------------------------
@given(small_messages, small_messages)
def test_product_of_ciphertexts_encrypts_the_sum(a: int, b: int) -> None:
    (ca, ra), (cb, rb) = encrypt(PK, a), encrypt(PK, b)
    assert decrypt(SK, ca * cb, bound=2000) == a + b
    assert ca * cb == encrypt_with_randomness(PK, a + b, randomness=ra + rb)


@given(st.lists(st.tuples(points, points).map(lambda t: Ciphertext(*t)), max_size=8))
def test_aggregate_is_the_folded_product(items: list[Ciphertext]) -> None:
    folded = Ciphertext(IDENTITY, IDENTITY)
    for item in items:
        folded = folded * item
    assert aggregate(items) == folded
    assert aggregate(iter(items)) == folded


@given(st.lists(st.integers(min_value=0, max_value=1), min_size=1, max_size=40))
def test_aggregate_of_votes_decrypts_to_the_count(votes: list[int]) -> None:
    assert decrypt(SK, aggregate(encrypt(PK, v)[0] for v in votes), bound=40) == sum(votes)


def test_aggregate_of_many_crosses_product_chunks() -> None:
    items = [encrypt_with_randomness(PK, 1, randomness=Scalar(i + 1)) for i in range(5000)]
    total = encrypt_with_randomness(PK, 5000, randomness=Scalar(5000 * 5001 // 2))
    assert aggregate(items) == total
    assert decrypt(SK, aggregate(items), bound=10_000) == 5000


def test_sums_that_cancel_give_the_identity() -> None:
    r = Scalar(123)
    one = encrypt_with_randomness(PK, 1, randomness=r)
    minus_one = encrypt_with_randomness(PK, N - 1, randomness=-r)
    assert one * minus_one == Ciphertext(IDENTITY, IDENTITY)
    assert aggregate([]) == Ciphertext(IDENTITY, IDENTITY)
    assert decrypt(SK, aggregate([]), bound=0) == 0


# §5.5 Decryption and bounded discrete logarithm -----------------------------------------------
def test_decrypt_to_point_gives_g_to_the_m() -> None:
    ciphertext, _ = encrypt(PK, 42)
    assert decrypt_to_point(SK, ciphertext) == g_pow(Scalar(42))


def test_decrypting_with_another_key_gives_garbage() -> None:
    ciphertext, _ = encrypt(PK, 3)
    with pytest.raises(MalformedInput, match=r"not g\^m for any m in \[0, 1000\]"):
        decrypt(SecretKey(Scalar(5)), ciphertext, bound=1000)


@pytest.mark.parametrize("bound", [0, 1, 2, 3, 7, 8, 100, 1_000_000, 10_000_000])
def test_discrete_log_at_the_edges_of_the_bound(bound: int) -> None:
    for m in sorted({m for m in (0, 1, bound // 2, bound - 1, bound) if 0 <= m <= bound}):
        assert discrete_log(g_pow(Scalar(m)), bound=bound) == m
    with pytest.raises(MalformedInput, match="not g"):
        discrete_log(g_pow(Scalar(bound + 1)), bound=bound)


@settings(max_examples=30)
@given(st.integers(min_value=0, max_value=10_000_000))
def test_discrete_log_of_ten_million(m: int) -> None:
    assert discrete_log(g_pow(Scalar(m)), bound=10_000_000) == m


@given(st.integers(min_value=1001, max_value=N - 1))
def test_discrete_log_refuses_points_out_of_bound(k: int) -> None:
    with pytest.raises(MalformedInput, match=r"not g\^m for any m in \[0, 1000\]"):
        discrete_log(g_pow(Scalar(k)), bound=1000)


def test_discrete_log_refuses_negative_values_and_bad_bounds() -> None:
    with pytest.raises(MalformedInput, match=r"not g\^m for any m in \[0, 100\]"):
        discrete_log(G.inverse(), bound=100)
    with pytest.raises(MalformedInput, match=r"bound must be in \[0, 2\^32\], got -1"):
        discrete_log(G, bound=-1)
    with pytest.raises(MalformedInput, match=r"bound must be in \[0, 2\^32\], got 4294967297"):
        discrete_log(G, bound=MAX_DISCRETE_LOG_BOUND + 1)


def test_discrete_log_at_the_maximum_bound() -> None:
    m = MAX_DISCRETE_LOG_BOUND - 3
    assert discrete_log(g_pow(Scalar(m)), bound=MAX_DISCRETE_LOG_BOUND) == m


# §5.2 Ciphertext wire form --------------------------------------------------------------------
@given(ciphertexts)
def test_ciphertext_wire_round_trip(ciphertext: Ciphertext) -> None:
    assert Ciphertext.from_json(ciphertext.to_json()) == ciphertext


def test_ciphertext_with_identity_parses() -> None:
    both = Ciphertext(IDENTITY, IDENTITY)
    assert both.to_json() == {"alpha": "00" * 33, "beta": "00" * 33}
    assert Ciphertext.from_json(both.to_json()) == both


def _off_curve_hex() -> str:
    x = 5
    while True:
        try:
            lift_x(x.to_bytes(32, "big"))
        except MalformedInput:
            return "02" + x.to_bytes(32, "big").hex()
        x += 1


WIRE = encrypt_with_randomness(PK, 1, randomness=Scalar(99)).to_json()
# name: (the reader's reason, the wire form)
BAD_CIPHERTEXTS: dict[str, tuple[str, object]] = {
    "missing-beta": (r"ciphertext: missing field\(s\) beta", {"alpha": WIRE["alpha"]}),
    "unknown-field": (r"ciphertext: unknown field\(s\) gamma", {**WIRE, "gamma": WIRE["beta"]}),
    "not-an-object": ("ciphertext must be a JSON object, got list", [WIRE["alpha"], WIRE["beta"]]),
    "integer-alpha": ("ciphertext: point must be a hex string, got int", {**WIRE, "alpha": 5}),
    "truncated-beta": (
        "ciphertext: point must be 66 hex digits, got 64",
        {**WIRE, "beta": WIRE["beta"][:-2]},
    ),
    "trailing-bytes-alpha": (
        "ciphertext: point must be 66 hex digits, got 68",
        {**WIRE, "alpha": WIRE["alpha"] + "00"},
    ),
    "uncompressed-prefix": (
        "ciphertext: point prefix must be 0x02 or 0x03, got 0x04",
        {**WIRE, "alpha": "04" + WIRE["alpha"][2:]},
    ),
    "hybrid-prefix": (
        "ciphertext: point prefix must be 0x02 or 0x03, got 0x06",
        {**WIRE, "beta": "06" + WIRE["beta"][2:]},
    ),
    "off-curve-alpha": ("ciphertext: point not on curve", {**WIRE, "alpha": _off_curve_hex()}),
    "x-equals-p": (
        "ciphertext: point not on curve",
        {**WIRE, "beta": "02" + P.to_bytes(32, "big").hex()},
    ),
    "identity-with-garbage": (
        "ciphertext: point prefix must be 0x02 or 0x03, got 0x00",
        {**WIRE, "alpha": "00" * 32 + "01"},
    ),
}


@pytest.mark.parametrize("name", BAD_CIPHERTEXTS)
def test_ciphertext_decoder_rejects(name: str) -> None:
    reason, wire = BAD_CIPHERTEXTS[name]
    with pytest.raises(MalformedInput, match=reason):
        Ciphertext.from_json(wire)


def test_ciphertext_decoder_rejects_upper_case_and_names_the_field() -> None:
    with pytest.raises(NonCanonicalEncoding, match="ciphertext: point must be lower-case hex"):
        Ciphertext.from_json({**WIRE, "alpha": WIRE["alpha"].upper()})
    with pytest.raises(MalformedInput, match="ballot 3: point not on curve"):
        Ciphertext.from_json(BAD_CIPHERTEXTS["off-curve-alpha"][1], "ballot 3")


# §5.6 Point embedding -------------------------------------------------------------------------
def test_capacity_is_29_bytes() -> None:
    assert EMBEDDING_CAPACITY == 29
    with pytest.raises(MalformedInput, match="embedding: at most 29 bytes, got 30 bytes"):
        embed(bytes(30))
    with pytest.raises(MalformedInput, match="embedding: at most 29 bytes, got 30 bytes"):
        encrypt_bytes(PK, bytes(30))


@pytest.mark.parametrize("length", range(EMBEDDING_CAPACITY + 1))
def test_embed_extract_round_trip_for_every_length(length: int) -> None:
    for data in (bytes(length), b"\xff" * length, bytes(range(7, 7 + length))):
        point = embed(data)
        assert extract(point) == data
        x = point.to_bytes()[1:]
        assert point.to_bytes()[0] == 0x02
        assert x[:2] == bytes((0, length))
        assert x[2 : 2 + length] == data
        assert x[2 + length : 31] == bytes(29 - length)


@given(embeddable)
def test_embedding_uses_the_first_counter_that_works(data: bytes) -> None:
    point = embed(data)
    x = point.to_bytes()[1:]
    for counter in range(x[31]):
        with pytest.raises(MalformedInput, match="point not on curve"):
            lift_x(x[:31] + bytes((counter,)))


@given(key_pairs, embeddable)
def test_encrypted_bytes_round_trip(pair: tuple[SecretKey, PublicKey], data: bytes) -> None:
    sk, pk = pair
    ciphertext, r = encrypt_bytes(pk, data)
    assert decrypt_bytes(sk, ciphertext) == data
    assert ciphertext == encrypt_bytes_with_randomness(pk, data, randomness=r)
    assert ciphertext.beta == embed(data) * pk.element**r


def _data_with_a_later_counter() -> tuple[bytes, Point]:
    """A string whose embedding uses counter c, and the point of a later valid counter."""
    for i in range(256):
        data = bytes((i,))
        x = embed(data).to_bytes()[1:]
        for later in range(x[31] + 1, 256):
            try:
                return data, lift_x(x[:31] + bytes((later,)))
            except MalformedInput:
                continue
    raise AssertionError("unreachable")


def _find_point(predicate: Callable[[Point], bool]) -> Point:
    for k in range(1, 10_000):
        point = g_pow(Scalar(k))
        if predicate(point):
            return point
    raise AssertionError("unreachable")


def _x_point(x: bytes) -> Point:
    """The first point at or after x (incrementing its last byte), with even y."""
    for last in range(256):
        try:
            return lift_x(x[:31] + bytes((last,)))
        except MalformedInput:
            continue
    raise AssertionError("unreachable")


_GOOD_X = embed(b"ranking").to_bytes()[1:]
IDENTITY_OR_ODD_Y = "embedding: the point is the identity or has odd y"
BAD_FIRST_BYTE_OR_LENGTH = "embedding: bad first byte or length in x"
# name: (the reason extract gives, the point)
BAD_EMBEDDINGS: dict[str, tuple[str, Point]] = {
    "identity": (IDENTITY_OR_ODD_Y, IDENTITY),
    "odd-y": (IDENTITY_OR_ODD_Y, embed(b"ranking").inverse()),
    "x-first-byte-not-zero": (
        BAD_FIRST_BYTE_OR_LENGTH,
        _find_point(lambda p: p.to_bytes()[:2] == b"\x02\x01"),
    ),
    "length-30": (BAD_FIRST_BYTE_OR_LENGTH, _x_point(b"\x00\x1e" + bytes(30))),
    "length-255": (BAD_FIRST_BYTE_OR_LENGTH, _x_point(b"\x00\xff" + bytes(30))),
    "non-zero-padding": (
        "embedding: non-zero padding in x",
        _x_point(_GOOD_X[:30] + b"\x01" + _GOOD_X[31:]),
    ),
    "non-zero-padding-empty-string": (
        "embedding: non-zero padding in x",
        _x_point(b"\x00\x00" + b"\x01" + bytes(29)),
    ),
    "later-counter": (
        "embedding: counter .* is not the first that works",
        _data_with_a_later_counter()[1],
    ),
}


@pytest.mark.parametrize("name", BAD_EMBEDDINGS)
def test_extract_rejects(name: str) -> None:
    reason, point = BAD_EMBEDDINGS[name]
    with pytest.raises(MalformedInput, match=reason):
        extract(point)


@given(scalars)
def test_a_random_point_is_almost_never_an_embedding(k: Scalar) -> None:
    point = g_pow(k)
    if point.to_bytes()[:2] == b"\x02\x00":  # pragma: no cover - probability 2^-9
        return
    with pytest.raises(MalformedInput, match=f"{IDENTITY_OR_ODD_Y}|{BAD_FIRST_BYTE_OR_LENGTH}"):
        extract(point)
