"""What the tests of spec §6.4 and §6.5 disjunctive proofs share: the statement's fixed
values, an oracle written straight from the spec's text (its hash pluggable), an honest range
proof, and the edits of a proof's branches that its named mutations are made of."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from crypto.elgamal import Ciphertext, PublicKey, SecretKey, encrypt_with_randomness
from crypto.errors import MalformedInput
from crypto.group import IDENTITY, G, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.disjunctive import (
    DisjunctiveBranch,
    DisjunctiveProof,
    unsafe_prove_range,
)

SK = SecretKey(Scalar(0xD15))
PK = SK.public_key()
PK_TABLE = PK.precompute()
OTHER_PK = SecretKey(Scalar(0xD16)).public_key()
CONTEXT = b"election-fingerprint|credential-7|contest-1|option-2"


def scalar(label: int) -> Scalar:
    return Scalar.reduce(0x5EED0000 + label * 0x9E3779B97F4A7C15)


def simulated_pairs(count: int, seed: int = 0) -> list[ChallengeResponse]:
    return [
        ChallengeResponse(scalar(seed + 2 * j + 1), scalar(seed + 2 * j + 2)) for j in range(count)
    ]


# A spec oracle: the disjunctive core of §6.4 written straight from the text, hash pluggable ----
ChallengeFn = Callable[[list[bytes]], Scalar]


def oracle_prove(
    challenge_of: ChallengeFn,
    *,
    alpha: Point,
    beta: Point,
    pk: Point,
    a: int,
    b: int,
    value: int,
    r: Scalar,
    w: Scalar,
    simulated: Sequence[ChallengeResponse],
) -> DisjunctiveProof:
    t = value - a
    fakes = iter(simulated)
    pairs: list[ChallengeResponse] = []
    commitments: list[bytes] = []
    for j in range(b - a + 1):
        shifted = beta / g_pow(Scalar(a + j))
        if j == t:
            pairs.append(ChallengeResponse(Scalar(0), Scalar(0)))  # filled in below
            commitments += [(G**w).to_bytes(), (pk**w).to_bytes()]
        else:
            fake = next(fakes)
            pairs.append(fake)
            commitments += [
                (G**fake.response / alpha**fake.challenge).to_bytes(),
                (pk**fake.response / shifted**fake.challenge).to_bytes(),
            ]
    c = challenge_of(commitments)
    c_t = c
    for j, pair in enumerate(pairs):
        if j != t:
            c_t = c_t - pair.challenge
    pairs[t] = ChallengeResponse(c_t, w + c_t * r)
    return DisjunctiveProof(
        tuple(
            DisjunctiveBranch(commitments[2 * j], commitments[2 * j + 1], p.challenge, p.response)
            for j, p in enumerate(pairs)
        )
    )


def range_hash(context: bytes, pk: PublicKey, ciphertext: Ciphertext, maximum: int) -> ChallengeFn:
    return lambda commitments: hash_to_scalar(
        Dst.RANGE,
        context,
        G.to_bytes(),
        pk.to_bytes(),
        ciphertext.alpha.to_bytes(),
        ciphertext.beta.to_bytes(),
        (0).to_bytes(4, "big"),
        maximum.to_bytes(4, "big"),
        *commitments,
    )


def sum_hash(
    context: bytes, pk: PublicKey, items: Sequence[Ciphertext], a: int, b: int
) -> ChallengeFn:
    listed = [part for c in items for part in (c.alpha.to_bytes(), c.beta.to_bytes())]
    return lambda commitments: hash_to_scalar(
        Dst.SUM_RANGE,
        context,
        G.to_bytes(),
        pk.to_bytes(),
        len(items).to_bytes(4, "big"),
        *listed,
        a.to_bytes(4, "big"),
        b.to_bytes(4, "big"),
        *commitments,
    )


@dataclass(frozen=True)
class RangeCase:
    proof: DisjunctiveProof
    public_key: PublicKey
    ciphertext: Ciphertext
    maximum: int
    context: bytes


R = scalar(1000)


def honest_range(value: int = 1, maximum: int = 1, r: Scalar = R, **kw: object) -> RangeCase:
    ciphertext = encrypt_with_randomness(PK, value, randomness=r)
    proof = unsafe_prove_range(
        r,
        value=value,
        public_key=PK,
        ciphertext=ciphertext,
        maximum=maximum,
        context=CONTEXT,
        nonce=scalar(7),
        simulated=simulated_pairs(maximum),
    )
    return RangeCase(proof, PK, ciphertext, maximum, CONTEXT)


def set_branch(proof: DisjunctiveProof, j: int, **changes: object) -> DisjunctiveProof:
    branches = list(proof.branches)
    branches[j] = replace(branches[j], **changes)  # type: ignore[arg-type]
    return DisjunctiveProof(tuple(branches))


def edit_branch(proof: DisjunctiveProof, j: int, *, dc: int = 0, ds: int = 0) -> DisjunctiveProof:
    c, s = proof.branches[j].challenge, proof.branches[j].response
    return set_branch(proof, j, challenge=c + Scalar.reduce(dc), response=s + Scalar.reduce(ds))


def swap_branches(proof: DisjunctiveProof, which: str) -> DisjunctiveProof:
    first, second = proof.branches[:2]
    one = replace(first, **{which: getattr(second, which)})
    two = replace(second, **{which: getattr(first, which)})
    return DisjunctiveProof((one, two, *proof.branches[2:]))


def _off_curve_encoding() -> bytes:
    x = 1
    while True:
        try:
            Point.from_bytes(b"\x02" + x.to_bytes(32, "big"))
        except MalformedInput:
            return b"\x02" + x.to_bytes(32, "big")
        x += 1


OFF_CURVE = _off_curve_encoding()
IDENTITY_BYTES = IDENTITY.to_bytes()


def times_g(encoding: bytes) -> bytes:
    return (Point.from_bytes(encoding) * G).to_bytes()


def negated(encoding: bytes) -> bytes:
    return Point.from_bytes(encoding).inverse().to_bytes()
