"""Spec §5 ElGamal encryption in the secp256k1 group.

Two ways of putting a plaintext into the group, one ciphertext type:

* exponential ElGamal (§5.2), ``Enc(m; r) = (g^r, g^m · pk^r)``, additively homomorphic (§5.4),
  for counted contests; decryption gives ``g^m`` and a bounded discrete logarithm (§5.5)
  recovers ``m``;
* point embedding (§5.6) of a byte string of up to ``EMBEDDING_CAPACITY`` bytes into one group
  element ``M``, encrypted as ``(g^r, M · pk^r)``, for ranked ballots that travel through the
  mixnet as one ciphertext each.

Every encryption has a deterministic core taking the randomness ``r`` explicitly
(``encrypt_with_randomness``): the voter client needs ``r`` for its proofs and for a Benaloh
audit, and the verifier re-encrypts with a revealed ``r`` to check an audited ballot.

Secret exponents (keys, ``r``) go through the constant-time ``g_pow`` and ``Point.__pow__``;
only public exponents take the ``*_vartime`` paths. An election public key used for many
encryptions and verifications is best wrapped once with ``PublicKey.precompute()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from math import isqrt
from typing import Final

from crypto.errors import MalformedInput
from crypto.group import IDENTITY, G, N, Point, Scalar, g_pow, lift_x, product
from crypto.multiexp import FixedBase
from crypto.wire import expect_object

__all__ = [
    "EMBEDDING_CAPACITY",
    "MAX_DISCRETE_LOG_BOUND",
    "Ciphertext",
    "PublicKey",
    "SecretKey",
    "aggregate",
    "decrypt",
    "decrypt_bytes",
    "decrypt_to_point",
    "discrete_log",
    "embed",
    "encrypt",
    "encrypt_bytes",
    "encrypt_bytes_with_randomness",
    "encrypt_with_randomness",
    "extract",
    "re_encrypt",
    "re_encrypt_with_randomness",
]

# Spec §5.6 x = 0x00 || I2OSP(len, 1) || data || zero padding || I2OSP(ctr, 1): 32 bytes.
EMBEDDING_CAPACITY: Final = 29
# Spec §5.5 The largest bound the discrete-log decoder accepts.
MAX_DISCRETE_LOG_BOUND: Final = 2**32

_G_INVERSE: Final = G.inverse()
_G_1_2: Final = (G, G * G)  # g^(m+1) for m = 0 and 1


# §5.1 Keys ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PublicKey:
    """Spec §5.1 An ElGamal public key ``pk = g^x``: a group element other than the identity.

    ``element`` may be a ``FixedBase`` (see ``precompute``), which makes verification and
    re-encryption checks faster; it compares and encodes exactly like the plain point.

    Raises:
        MalformedInput: the element is the identity.
    """

    element: Point

    def __post_init__(self) -> None:
        if self.element.is_identity:
            raise MalformedInput("public key: the identity is not a valid public key")

    @classmethod
    def from_hex(cls, text: str) -> PublicKey:
        """Spec §5.1 A public key from its 66-hex-digit point encoding (§2.3).

        Raises:
            MalformedInput: not a valid point encoding, or the identity.
            NonCanonicalEncoding: upper-case hex digits.
        """
        return cls(Point.from_hex(text))

    def to_hex(self) -> str:
        return self.element.to_hex()

    def to_bytes(self) -> bytes:
        return self.element.to_bytes()

    def precompute(self) -> PublicKey:
        """The same key carrying a fixed-base table (§2.5): build once per election."""
        if isinstance(self.element, FixedBase):
            return self
        return PublicKey(FixedBase.precompute(self.element))


@dataclass(frozen=True, slots=True, repr=False)
class SecretKey:
    """Spec §5.1 An ElGamal secret key: a scalar ``x`` with ``0 < x < n``.

    Raises:
        MalformedInput: the scalar is zero.
    """

    scalar: Scalar

    def __post_init__(self) -> None:
        if not self.scalar:
            raise MalformedInput("secret key: zero is not a valid secret key")

    @classmethod
    def generate(cls) -> SecretKey:
        """Spec §5.1 A fresh secret key drawn uniformly from [1, n) with ``secrets``."""
        return cls(Scalar.random())

    def public_key(self) -> PublicKey:
        """Spec §5.1 ``pk = g^x``."""
        return PublicKey(g_pow(self.scalar))

    def __repr__(self) -> str:
        return "SecretKey(<secret>)"


# §5.2 Ciphertexts -----------------------------------------------------------------------------
_CIPHERTEXT_FIELDS: Final = frozenset({"alpha", "beta"})


@dataclass(frozen=True, slots=True)
class Ciphertext:
    """Spec §5.2 An ElGamal ciphertext ``(alpha, beta)``; wire form ``{"alpha", "beta"}``.

    ``c1 * c2`` is the component-wise product, which adds the plaintexts of exponential
    ciphertexts (§5.4).
    """

    alpha: Point
    beta: Point

    @classmethod
    def from_json(cls, value: object, what: str = "ciphertext") -> Ciphertext:
        """Spec §5.2 Parse ``{"alpha": point, "beta": point}`` strictly.

        Both are group elements (§2.3); the identity parses here and is refused by the checks
        that forbid it (§6.4-§6.6).

        Raises:
            MalformedInput: not an object, a field missing or unknown, or a bad point.
            NonCanonicalEncoding: upper-case hex digits.
        """
        if type(value) is dict and value.keys() == _CIPHERTEXT_FIELDS:
            obj = value  # the usual case, without expect_object's copy
        else:
            obj = expect_object(value, what, required={"alpha", "beta"})
        try:
            alpha = Point.from_hex(obj["alpha"])
            beta = Point.from_hex(obj["beta"])
        except MalformedInput as exc:
            raise type(exc)(f"{what}: {exc}") from None
        return cls(alpha, beta)

    def to_json(self) -> dict[str, str]:
        return {"alpha": self.alpha.to_hex(), "beta": self.beta.to_hex()}

    def __mul__(self, other: Ciphertext) -> Ciphertext:
        """Spec §5.4 Homomorphic addition: ``(alpha1·alpha2, beta1·beta2)``."""
        return Ciphertext(self.alpha * other.alpha, self.beta * other.beta)


def _check_message(message: int) -> None:
    if not 0 <= message < N:
        raise MalformedInput(f"message must be an integer in [0, n), got {message}")


def encrypt(public_key: PublicKey, message: int) -> tuple[Ciphertext, Scalar]:
    """Spec §5.2 Encrypt ``message`` under ``public_key`` with fresh randomness.

    Returns the ciphertext and its randomness ``r``, which the caller needs for proofs and
    audits and must otherwise keep secret and then erase.

    Raises:
        MalformedInput: ``message`` is not in [0, n).
    """
    randomness = Scalar.random()
    return encrypt_with_randomness(public_key, message, randomness=randomness), randomness


def encrypt_with_randomness(
    public_key: PublicKey, message: int, *, randomness: Scalar
) -> Ciphertext:
    """Spec §5.2 ``Enc(m; r) = (g^r, g^m · pk^r)``, the deterministic core of ``encrypt``.

    Reusing ``r`` for two messages under one key reveals their difference.

    Raises:
        MalformedInput: ``message`` is not in [0, n).
    """
    _check_message(message)
    # g^m computed as g^(m+1) · g^-1 so that m = 0 costs what m = 1 costs (g_pow(0) is free);
    # for those two (every selection of a ballot) g^(m+1) is g or g^2, taken from a pair.
    g_m_plus_1 = _G_1_2[message] if message < 2 else g_pow(Scalar.reduce(message + 1))
    return Ciphertext(
        g_pow(randomness),
        product((public_key.element**randomness, g_m_plus_1, _G_INVERSE)),
    )


# §5.3 Re-encryption ---------------------------------------------------------------------------
def re_encrypt(public_key: PublicKey, ciphertext: Ciphertext) -> tuple[Ciphertext, Scalar]:
    """Spec §5.3 Re-randomise ``ciphertext`` with fresh randomness; returns it and ``r'``."""
    randomness = Scalar.random()
    return re_encrypt_with_randomness(public_key, ciphertext, randomness=randomness), randomness


def re_encrypt_with_randomness(
    public_key: PublicKey, ciphertext: Ciphertext, *, randomness: Scalar
) -> Ciphertext:
    """Spec §5.3 ``(alpha · g^r', beta · pk^r')``: the same plaintext, unlinkable ciphertext."""
    return Ciphertext(
        ciphertext.alpha * g_pow(randomness),
        ciphertext.beta * public_key.element**randomness,
    )


# §5.4 Homomorphic addition --------------------------------------------------------------------
def aggregate(ciphertexts: Iterable[Ciphertext]) -> Ciphertext:
    """Spec §5.4 The product of ``ciphertexts`` (``(1, 1)`` for none): encrypts the sum.

    Each component is summed in n-ary libsecp256k1 additions (``group.product``), so a
    tally of hundreds of thousands of ballots costs a fraction of a microsecond per ballot.
    """
    items = list(ciphertexts)
    return Ciphertext(product(c.alpha for c in items), product(c.beta for c in items))


# §5.5 Decryption and bounded discrete logarithm -----------------------------------------------
def decrypt_to_point(secret_key: SecretKey, ciphertext: Ciphertext) -> Point:
    """Spec §5.5 The plaintext element ``beta / alpha^x``: ``g^m`` (§5.2) or ``M`` (§5.6)."""
    return ciphertext.beta / ciphertext.alpha**secret_key.scalar


def decrypt(secret_key: SecretKey, ciphertext: Ciphertext, *, bound: int) -> int:
    """Spec §5.5 The ``m`` in [0, bound] encrypted by an exponential ciphertext.

    Raises:
        MalformedInput: the plaintext is not ``g^m`` for any ``m`` in [0, bound], or ``bound``
            is outside [0, MAX_DISCRETE_LOG_BOUND].
    """
    return discrete_log(decrypt_to_point(secret_key, ciphertext), bound=bound)


@dataclass(frozen=True, slots=True)
class _BabySteps:
    """The baby-step table for half-width w: encoding of g^d -> d for every d in [-w, w]."""

    width: int
    table: dict[bytes, int]
    start: Point  # g^-w
    stride: Point  # g^-(2w+1)


@lru_cache(maxsize=8)
def _baby_steps(width: int) -> _BabySteps:
    table = {IDENTITY.to_bytes(): 0}
    step = G
    for d in range(1, width + 1):
        encoding = step.to_bytes()
        table[encoding] = d
        # g^-d has the same x and the other y parity: flip the prefix 0x02 <-> 0x03.
        table[bytes((encoding[0] ^ 1,)) + encoding[1:]] = -d
        step = step * G
    minus_width = g_pow(Scalar(N - width))
    return _BabySteps(width, table, minus_width, minus_width * minus_width * _G_INVERSE)


def discrete_log(point: Point, *, bound: int) -> int:
    """Spec §5.5 The unique ``m`` in [0, bound] with ``g^m = point``, by baby-step giant-step.

    With ``w = isqrt(bound // 2) + 1``, the baby-step table maps the encodings of ``g^d`` for
    ``d`` in [-w, w] (2w + 1 entries, built with w point additions, since ``g^-d`` is ``g^d``
    with the other y parity) and is cached per ``w`` (the 8 most recent tables); each giant step
    is one addition and one dictionary look-up, at most ``bound // (2w + 1) + 1`` of them.
    Measured on a 2-core development machine: bound 10^6 (w = 708), table 3 ms and 0.2 MB,
    decoding at most 3 ms; bound 10^7 (w = 2,237), table 10 ms and 0.6 MB, decoding at most
    9 ms; the maximum bound 2^32 (w = 46,341), table 0.2 s and 14 MB, decoding at most 0.2 s.

    Raises:
        MalformedInput: no ``m`` in [0, bound] has ``g^m = point``, or ``bound`` is outside
            [0, MAX_DISCRETE_LOG_BOUND].
    """
    if not 0 <= bound <= MAX_DISCRETE_LOG_BOUND:
        raise MalformedInput(f"discrete log: bound must be in [0, 2^32], got {bound}")
    steps = _baby_steps(isqrt(bound // 2) + 1)
    width, table, stride_length = steps.width, steps.table, 2 * steps.width + 1
    # Giant step i looks for point = g^(i·(2w+1) + w + d) with d in [-w, w].
    y = point * steps.start
    for i in range(bound // stride_length + 1):
        d = table.get(y.to_bytes())
        if d is not None:
            m = i * stride_length + width + d
            if m > bound:
                break
            return m
        y = y * steps.stride
    raise MalformedInput(f"discrete log: the plaintext is not g^m for any m in [0, {bound}]")


# §5.6 Point embedding -------------------------------------------------------------------------
def embed(data: bytes) -> Point:
    """Spec §5.6 The group element encoding ``data`` (at most 29 bytes), deterministically.

    For ``ctr = 0, 1, ..., 255`` the first ``x = 0x00 || I2OSP(len(data), 1) || data ||
    0x00^(29 - len(data)) || I2OSP(ctr, 1)`` that is the x-coordinate of a curve point gives the
    point with that x and even y. Each ``ctr`` succeeds with probability about 1/2.

    The number of counters tried depends on ``data`` (a ranking is secret), so the time taken
    leaks a little about it: like the rest of a voter client, run it where it cannot be timed
    finely (see ``crypto/__init__``).

    Raises:
        MalformedInput: ``data`` is longer than ``EMBEDDING_CAPACITY`` bytes.
    """
    if len(data) > EMBEDDING_CAPACITY:
        raise MalformedInput(
            f"embedding: at most {EMBEDDING_CAPACITY} bytes, got {len(data)} bytes"
        )
    prefix = bytes((0, len(data))) + data.ljust(EMBEDDING_CAPACITY, b"\x00")
    for counter in range(256):
        try:
            return lift_x(prefix + bytes((counter,)))
        except MalformedInput:
            continue
    raise MalformedInput("embedding: no counter gives a curve point")  # pragma: no cover


def extract(point: Point) -> bytes:
    """Spec §5.6 The byte string that ``embed`` maps to ``point``.

    Exactly the images of ``embed`` are accepted: the point must have even y, a zero first byte
    of x, a length of at most 29, zero padding, and the smallest counter that works.

    Raises:
        MalformedInput: ``point`` is not ``embed(data)`` for any ``data``.
    """
    encoding = point.to_bytes()
    if encoding[0] != 0x02:
        raise MalformedInput("embedding: the point is the identity or has odd y")
    x = encoding[1:]
    length = x[1]
    if x[0] != 0 or length > EMBEDDING_CAPACITY:
        raise MalformedInput("embedding: bad first byte or length in x")
    if any(x[2 + length : 2 + EMBEDDING_CAPACITY]):
        raise MalformedInput("embedding: non-zero padding in x")
    counter = x[-1]
    for smaller in range(counter):
        try:
            lift_x(x[:-1] + bytes((smaller,)))
        except MalformedInput:
            continue
        raise MalformedInput(f"embedding: counter {counter} is not the first that works")
    return x[2 : 2 + length]


def encrypt_bytes(public_key: PublicKey, data: bytes) -> tuple[Ciphertext, Scalar]:
    """Spec §5.6 Encrypt ``embed(data)`` with fresh randomness; returns it and ``r``.

    Raises:
        MalformedInput: ``data`` is longer than ``EMBEDDING_CAPACITY`` bytes.
    """
    randomness = Scalar.random()
    return encrypt_bytes_with_randomness(public_key, data, randomness=randomness), randomness


def encrypt_bytes_with_randomness(
    public_key: PublicKey, data: bytes, *, randomness: Scalar
) -> Ciphertext:
    """Spec §5.6 ``(g^r, embed(data) · pk^r)``, the deterministic core of ``encrypt_bytes``.

    Raises:
        MalformedInput: ``data`` is longer than ``EMBEDDING_CAPACITY`` bytes.
    """
    return Ciphertext(g_pow(randomness), embed(data) * public_key.element**randomness)


def decrypt_bytes(secret_key: SecretKey, ciphertext: Ciphertext) -> bytes:
    """Spec §5.6 Decrypt a point-embedding ciphertext and extract its byte string.

    Raises:
        MalformedInput: the plaintext element is not a valid embedding.
    """
    return extract(decrypt_to_point(secret_key, ciphertext))
