"""Spec §6.4 and §6.5 Disjunctive Chaum-Pedersen proofs: a ciphertext encrypts a value in a range.

Both are the Cramer-Damgård-Schoenmakers OR-composition of one Chaum-Pedersen branch per
candidate value ``v``, each claiming ``alpha = g^r`` and ``beta / g^v = pk^r``: the prover runs
the branch of the true value honestly and simulates the others; the simulated challenges and
the real one sum to the Fiat-Shamir challenge.

* §6.4 ``prove_range``/``verify_range``: one ciphertext encrypts a value in 0..L.
* §6.5 ``prove_sum_range``/``verify_sum_range``: the product of a list of ciphertexts encrypts
  a value in a..b (a contest's total number of selections); the challenge hashes every
  ciphertext of the list, not only the product.

A proof travels as its full transcript: per branch the commitments (A_j, B_j), kept as the
33-byte encodings received, with (c_j, s_j). ``verify_*`` recomputes the commitments from
(c_j, s_j) as a compact proof would and compares encodings, so it costs no more than with the
compact form and never decompresses a commitment; the transcript is what lets
``crypto.batch.BatchVerifier`` (§6.7) check many proofs in one multi-exponentiation.

Side channels: the real branch uses the constant-time ``g_pow`` and ``Point.__pow__`` on the
secret nonce; a simulated branch computes A_j = g^(s_j - c_j·r) with the constant-time ``g_pow``
(r is secret) and B_j with variable-time arithmetic on its (c_j, s_j), which the proof
publishes anyway. The prover does the same work whatever the value; only the order of
the branches' computations depends on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from crypto.elgamal import Ciphertext, PublicKey, aggregate
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import ENCODED_POINT_LENGTH, G, N, Point, Scalar, _scalar, g_pow
from crypto.hashing import Dst, encode_parts, hash_encoded_to_scalar, hash_to_scalar
from crypto.multiexp import g_pow_vartime, multi_pow_vartime
from crypto.proofs._common import ChallengeResponse, reject_identity
from crypto.wire import expect_list, expect_object, parse_hex

__all__ = [
    "MAX_RANGE_VALUE",
    "DisjunctiveBranch",
    "DisjunctiveProof",
    "prove_range",
    "prove_sum_range",
    "unsafe_prove_range",
    "unsafe_prove_sum_range",
    "verify_range",
    "verify_sum_range",
]

# Spec §6.4 Range bounds and list lengths are hashed as I2OSP(., 4).
MAX_RANGE_VALUE: Final = 2**32 - 1

_G_BYTES: Final = G.to_bytes()
_G_INVERSE: Final = G.inverse()


_IDENTITY_ENCODING: Final = bytes(ENCODED_POINT_LENGTH)
_COMMITMENT_PREFIX: Final = ENCODED_POINT_LENGTH.to_bytes(4, "big")


def _check_commitment(data: bytes, what: str) -> None:
    """Spec §6.4 The format of a received commitment: 33 bytes, first byte 0x02 or 0x03, or the
    identity's 33 zero bytes. Whether it is on the curve is left to the verifier.

    Raises:
        MalformedInput: another length or first byte (uncompressed, hybrid, 0x00 then non-zero).
    """
    if len(data) != ENCODED_POINT_LENGTH:
        raise MalformedInput(f"{what}: a commitment must be 33 bytes, got {len(data)}")
    if data[0] not in (0x02, 0x03) and data != _IDENTITY_ENCODING:
        raise MalformedInput(f"{what}: commitment prefix must be 0x02 or 0x03, got {data[0]:#04x}")


@dataclass(frozen=True, slots=True)
class DisjunctiveBranch:
    """Spec §6.4 One branch of the transcript: commitments ``a`` = A_j and ``b`` = B_j, as the
    33-byte encodings received, then the challenge c_j and the response s_j.

    Wire form: ``{"a": point, "b": point, "challenge": scalar, "response": scalar}``.
    Constructing one checks the commitments' format (``_check_commitment``), not that they are
    on the curve: a verifier compares them with the encodings it computes (§6.4) or decompresses
    them (§6.7).

    Raises:
        MalformedInput: a commitment of the wrong length or first byte.
    """

    a: bytes
    b: bytes
    challenge: Scalar
    response: Scalar

    def __post_init__(self) -> None:
        _check_commitment(self.a, "branch a")
        _check_commitment(self.b, "branch b")

    def to_json(self) -> dict[str, str]:
        return {
            "a": self.a.hex(),
            "b": self.b.hex(),
            "challenge": self.challenge.to_hex(),
            "response": self.response.to_hex(),
        }

    @classmethod
    def from_json(cls, value: object, what: str = "branch") -> DisjunctiveBranch:
        """Spec §6.4 Parse one branch.

        Raises:
            MalformedInput: a field missing or unknown, bad hex, a scalar >= n, or a commitment
                of the wrong length or first byte.
            NonCanonicalEncoding: upper-case hex digits.
        """
        fast = _branch_fast(value)
        if fast is not None:
            return fast
        obj = expect_object(value, what, required={"a", "b", "challenge", "response"})
        a = parse_hex(obj["a"], ENCODED_POINT_LENGTH, f"{what}.a")
        b = parse_hex(obj["b"], ENCODED_POINT_LENGTH, f"{what}.b")
        _check_commitment(a, f"{what}.a")
        _check_commitment(b, f"{what}.b")
        return cls(a, b, Scalar.from_hex(obj["challenge"]), Scalar.from_hex(obj["response"]))


_BRANCH_FIELDS: Final = frozenset({"a", "b", "challenge", "response"})


def _branch_fast(value: object) -> DisjunctiveBranch | None:
    """A well-formed branch parsed in a few C calls (a verifier reads millions), or None for
    anything else, which ``DisjunctiveBranch.from_json`` then parses field by field to name
    what is wrong. Each field must write back as exactly the text received (lower-case hex
    of the right length), commitments must start 0x02 or 0x03 and scalars be below n."""
    if type(value) is not dict or value.keys() != _BRANCH_FIELDS:
        return None
    text = value["a"], value["b"], value["challenge"], value["response"]
    try:
        # One decoding of the four fields together: 130 bytes from 260 characters only if
        # each field has its length and no white space (checked below, field by field).
        joined = "".join(text)
        data = bytes.fromhex(joined)
    except (TypeError, ValueError):
        return None
    if (
        len(data) != 130
        or len(text[0]) != 66
        or len(text[1]) != 66
        or len(text[2]) != 64
        or data[0] not in (0x02, 0x03)
        or data[33] not in (0x02, 0x03)
        or data.hex() != joined  # lower-case hex only
    ):
        return None
    challenge, response = int.from_bytes(data[66:98], "big"), int.from_bytes(data[98:], "big")
    if challenge >= N or response >= N:
        return None
    # The format checks of __post_init__ are those above: build the branch without them.
    branch = object.__new__(DisjunctiveBranch)
    setattr_ = object.__setattr__
    setattr_(branch, "a", data[:33])
    setattr_(branch, "b", data[33:66])
    setattr_(branch, "challenge", _scalar(challenge))
    setattr_(branch, "response", _scalar(response))
    return branch


@dataclass(frozen=True, slots=True)
class DisjunctiveProof:
    """Spec §6.4 The transcript, one branch per candidate value, lowest value first.

    Wire form: ``{"branches": [{"a": point, "b": point, "challenge": scalar,
    "response": scalar}, ...]}``.
    """

    branches: tuple[DisjunctiveBranch, ...]

    def to_json(self) -> dict[str, list[dict[str, str]]]:
        return {"branches": [branch.to_json() for branch in self.branches]}

    @classmethod
    def from_json(cls, value: object, *, branches: int, what: str = "proof") -> DisjunctiveProof:
        """Spec §6.4 Parse a proof that must have exactly ``branches`` branches.

        ``branches`` comes from the statement (L + 1, or b - a + 1), never from the proof.

        Raises:
            MalformedInput: a field missing or unknown, the wrong number of branches, bad hex,
                a scalar >= n, or a commitment of the wrong length or first byte.
            NonCanonicalEncoding: upper-case hex digits.
        """
        obj = expect_object(value, what, required={"branches"})
        items = expect_list(obj["branches"], f"{what}.branches", max_length=branches)
        if len(items) != branches:
            raise MalformedInput(f"{what}: expected {branches} branches, got {len(items)}")
        return cls(
            tuple(
                DisjunctiveBranch.from_json(item, f"{what}.branches[{j}]")
                for j, item in enumerate(items)
            )
        )


# The shared core ------------------------------------------------------------------------------
def _check_bounds(minimum: int, maximum: int) -> None:
    if not 0 <= minimum <= maximum <= MAX_RANGE_VALUE:
        raise MalformedInput(
            f"range: need 0 <= minimum <= maximum <= 2^32 - 1, got {minimum}..{maximum}"
        )


def _bounds_parts(minimum: int, maximum: int) -> tuple[bytes, bytes]:
    return minimum.to_bytes(4, "big"), maximum.to_bytes(4, "big")


def _shifted_betas(beta: Point, minimum: int, count: int) -> list[Point]:
    """``beta / g^v`` for v = minimum, ..., minimum + count - 1 (public values)."""
    shifted = beta / g_pow_vartime(Scalar(minimum)) if minimum else beta
    out = [shifted]
    for _ in range(count - 1):
        shifted = shifted * _G_INVERSE
        out.append(shifted)
    return out


def _prove(
    dst: bytes,
    head: list[bytes],
    *,
    public_key: PublicKey,
    alpha: Point,
    beta: Point,
    minimum: int,
    maximum: int,
    value: int,
    randomness: Scalar,
    nonce: Scalar,
    simulated: Sequence[ChallengeResponse],
) -> DisjunctiveProof:
    _check_bounds(minimum, maximum)
    if not minimum <= value <= maximum:
        raise MalformedInput(f"range proof: value {value} not in {minimum}..{maximum}")
    count = maximum - minimum + 1
    if len(simulated) != count - 1:
        raise MalformedInput(f"range proof: need {count - 1} simulated branches")
    pk = public_key.element
    real = value - minimum
    fakes = iter(simulated)
    pairs: list[ChallengeResponse | None] = []
    commitments: list[bytes] = []
    for j, shifted in enumerate(_shifted_betas(beta, minimum, count)):
        if j == real:
            # Step 1 (real branch): A = g^w, B = pk^w.
            pairs.append(None)
            commitments += [g_pow(nonce).to_bytes(), (pk**nonce).to_bytes()]
        else:
            # Step 1 (simulated branch): A = g^s · alpha^-c, B = pk^s · (beta/g^v)^-c.
            # alpha = g^r for the prover's r, so A = g^(s - c·r): one fixed-base multiplication
            # instead of a double one, and the same element (the same bytes) when r is right.
            # Its exponent holds the secret r, so it goes through the constant-time g_pow.
            fake = next(fakes)
            minus_c = -fake.challenge
            a = g_pow(fake.response + minus_c * randomness)
            b = multi_pow_vartime([(pk, fake.response), (shifted, minus_c)])
            pairs.append(fake)
            commitments += [a.to_bytes(), b.to_bytes()]
    # Step 2: c = H_s(dst, head..., I2OSP(minimum, 4), I2OSP(maximum, 4), A_0, B_0, ...).
    challenge = hash_to_scalar(dst, *head, *_bounds_parts(minimum, maximum), *commitments)
    # Step 3: the real branch takes the rest of the challenge; s = w + c_real · r.
    real_challenge = challenge
    for fake in simulated:
        real_challenge = real_challenge - fake.challenge
    pairs[real] = ChallengeResponse(real_challenge, nonce + real_challenge * randomness)
    return DisjunctiveProof(
        tuple(
            DisjunctiveBranch(commitments[2 * j], commitments[2 * j + 1], p.challenge, p.response)
            for j, p in enumerate(pairs)
            if p is not None
        )
    )


def _check_challenges(
    what: str, dst: bytes, head: list[bytes], proof: DisjunctiveProof, minimum: int, maximum: int
) -> None:
    """Steps 1-2 of the verifier, shared with §6.7: the branch count, and the challenges summing
    to the hash of the statement and the commitments exactly as received.

    Raises:
        InvalidProof: the wrong number of branches, or the challenges do not sum to the hash.
    """
    count = maximum - minimum + 1
    if len(proof.branches) != count:
        raise InvalidProof(f"{what}: expected {count} branches, got {len(proof.branches)}")
    branches = proof.branches
    received = [encoding for branch in branches for encoding in (branch.a, branch.b)]
    total = sum(branch.challenge.value for branch in branches)
    # The commitments are parts of 33 bytes each (DisjunctiveBranch checks it): encoded as
    # encode_parts would, I2OSP(33, 4) before each, in one join.
    commitments = _COMMITMENT_PREFIX + _COMMITMENT_PREFIX.join(received)
    if len(commitments) != (4 + ENCODED_POINT_LENGTH) * len(received):
        commitments = encode_parts(*received)
    challenge = hash_encoded_to_scalar(
        encode_parts(dst, *head, *_bounds_parts(minimum, maximum)) + commitments
    )
    if challenge.value != total % N:
        raise InvalidProof(f"{what}: challenges do not sum to the hash of the statement")


def _verify(
    what: str,
    dst: bytes,
    head: list[bytes],
    proof: DisjunctiveProof,
    *,
    public_key: PublicKey,
    alpha: Point,
    beta: Point,
    minimum: int,
    maximum: int,
) -> None:
    _check_bounds(minimum, maximum)
    # Steps 1-2: k branches; sum of c_j = H_s(tag, head..., a, b, A_0, B_0, ...) over the bytes.
    _check_challenges(what, dst, head, proof, minimum, maximum)
    pk = public_key.element
    shifted_betas = _shifted_betas(beta, minimum, len(proof.branches))
    for j, (branch, shifted) in enumerate(zip(proof.branches, shifted_betas, strict=True)):
        # Step 3: A_j = g^s_j · alpha^-c_j and B_j = pk^s_j · (beta / g^v_j)^-c_j, compared as
        # encodings: equal to a computed element, the bytes are that element's one encoding.
        minus_c = -branch.challenge
        a = multi_pow_vartime([(G, branch.response), (alpha, minus_c)])
        if a.to_bytes() != branch.a:
            raise InvalidProof(f"{what}: branch {j}: A is not g^s · alpha^-c")
        b = multi_pow_vartime([(pk, branch.response), (shifted, minus_c)])
        if b.to_bytes() != branch.b:
            raise InvalidProof(f"{what}: branch {j}: B is not pk^s · (beta / g^v)^-c")


# §6.4 One ciphertext in 0..L ------------------------------------------------------------------
def _range_head(context: bytes, public_key: PublicKey, ciphertext: Ciphertext) -> list[bytes]:
    return [
        context,
        _G_BYTES,
        public_key.to_bytes(),
        ciphertext.alpha.to_bytes(),
        ciphertext.beta.to_bytes(),
    ]


def prove_range(
    randomness: Scalar,
    *,
    value: int,
    public_key: PublicKey,
    ciphertext: Ciphertext,
    maximum: int,
    context: bytes,
) -> DisjunctiveProof:
    """Spec §6.4 Prove that ``ciphertext = Enc(value; randomness)`` with value in 0..maximum.

    The caller must pass the true ``value`` and ``randomness``; the proof does not re-encrypt to
    check them (a wrong pair gives a proof that fails verification).

    Raises:
        MalformedInput: ``value`` not in 0..maximum, or maximum not in [0, 2^32).
    """
    return unsafe_prove_range(
        randomness,
        value=value,
        public_key=public_key,
        ciphertext=ciphertext,
        maximum=maximum,
        context=context,
        nonce=Scalar.random(),
        simulated=_random_branches(maximum),
    )


def _random_branches(count: int) -> list[ChallengeResponse]:
    return [ChallengeResponse(Scalar.random(), Scalar.random()) for _ in range(count)]


def unsafe_prove_range(
    randomness: Scalar,
    *,
    value: int,
    public_key: PublicKey,
    ciphertext: Ciphertext,
    maximum: int,
    context: bytes,
    nonce: Scalar,
    simulated: Sequence[ChallengeResponse],
) -> DisjunctiveProof:
    """Spec §6.4 The deterministic core of ``prove_range``. Never reuse a nonce.

    ``simulated`` holds the L chosen (challenge, response) pairs of the branches other than
    ``value``, in increasing order of their values.

    Raises:
        MalformedInput: ``value`` not in 0..maximum, maximum not in [0, 2^32), or not exactly
            ``maximum`` simulated branches.
    """
    return _prove(
        Dst.RANGE,
        _range_head(context, public_key, ciphertext),
        public_key=public_key,
        alpha=ciphertext.alpha,
        beta=ciphertext.beta,
        minimum=0,
        maximum=maximum,
        value=value,
        randomness=randomness,
        nonce=nonce,
        simulated=simulated,
    )


def verify_range(
    proof: DisjunctiveProof,
    *,
    public_key: PublicKey,
    ciphertext: Ciphertext,
    maximum: int,
    context: bytes,
) -> None:
    """Spec §6.4 Check that ``ciphertext`` encrypts a value in 0..maximum under ``context``.

    Raises:
        InvalidProof: alpha is the identity, the proof has other than maximum + 1 branches, the
            challenges do not sum to the hash of the statement and commitments, or a commitment
            is not the one its branch's challenge and response give.
        MalformedInput: maximum not in [0, 2^32).
    """
    reject_identity("range proof: ciphertext alpha", ciphertext.alpha)
    _verify(
        "range proof",
        Dst.RANGE,
        _range_head(context, public_key, ciphertext),
        proof,
        public_key=public_key,
        alpha=ciphertext.alpha,
        beta=ciphertext.beta,
        minimum=0,
        maximum=maximum,
    )


# §6.5 The product of a list of ciphertexts in a..b --------------------------------------------
def _sum_head(
    context: bytes, public_key: PublicKey, ciphertexts: Sequence[Ciphertext]
) -> list[bytes]:
    if not 0 < len(ciphertexts) <= MAX_RANGE_VALUE:
        raise MalformedInput(f"sum proof: need 1 to 2^32 - 1 ciphertexts, got {len(ciphertexts)}")
    head = [context, _G_BYTES, public_key.to_bytes(), len(ciphertexts).to_bytes(4, "big")]
    for ciphertext in ciphertexts:
        head += [ciphertext.alpha.to_bytes(), ciphertext.beta.to_bytes()]
    return head


def prove_sum_range(
    randomness: Scalar,
    *,
    value: int,
    public_key: PublicKey,
    ciphertexts: Sequence[Ciphertext],
    minimum: int,
    maximum: int,
    context: bytes,
) -> DisjunctiveProof:
    """Spec §6.5 Prove that the product of ``ciphertexts`` encrypts a value in minimum..maximum.

    ``value`` is the sum of the plaintexts and ``randomness`` the sum of the randomness (mod n)
    of the ciphertexts.

    Raises:
        MalformedInput: ``value`` outside the range, bad bounds, or an empty list.
    """
    return unsafe_prove_sum_range(
        randomness,
        value=value,
        public_key=public_key,
        ciphertexts=ciphertexts,
        minimum=minimum,
        maximum=maximum,
        context=context,
        nonce=Scalar.random(),
        simulated=_random_branches(maximum - minimum),
    )


def unsafe_prove_sum_range(
    randomness: Scalar,
    *,
    value: int,
    public_key: PublicKey,
    ciphertexts: Sequence[Ciphertext],
    minimum: int,
    maximum: int,
    context: bytes,
    nonce: Scalar,
    simulated: Sequence[ChallengeResponse],
) -> DisjunctiveProof:
    """Spec §6.5 The deterministic core of ``prove_sum_range``. Never reuse a nonce.

    Raises:
        MalformedInput: ``value`` outside the range, bad bounds, an empty list, or not exactly
            maximum - minimum simulated branches.
    """
    head = _sum_head(context, public_key, ciphertexts)
    total = aggregate(ciphertexts)
    return _prove(
        Dst.SUM_RANGE,
        head,
        public_key=public_key,
        alpha=total.alpha,
        beta=total.beta,
        minimum=minimum,
        maximum=maximum,
        value=value,
        randomness=randomness,
        nonce=nonce,
        simulated=simulated,
    )


def verify_sum_range(
    proof: DisjunctiveProof,
    *,
    public_key: PublicKey,
    ciphertexts: Sequence[Ciphertext],
    minimum: int,
    maximum: int,
    context: bytes,
) -> None:
    """Spec §6.5 Check that the product of ``ciphertexts`` encrypts a value in minimum..maximum.

    Raises:
        InvalidProof: a ciphertext's alpha is the identity, the proof has other than
            maximum - minimum + 1 branches, the challenges do not sum to the hash, or a
            commitment is not the one its branch's challenge and response give.
        MalformedInput: bad bounds, or an empty list.
    """
    for i, ciphertext in enumerate(ciphertexts):
        reject_identity(f"sum proof: ciphertext {i} alpha", ciphertext.alpha)
    head = _sum_head(context, public_key, ciphertexts)
    total = aggregate(ciphertexts)
    _verify(
        "sum proof",
        Dst.SUM_RANGE,
        head,
        proof,
        public_key=public_key,
        alpha=total.alpha,
        beta=total.beta,
        minimum=minimum,
        maximum=maximum,
    )
