"""Shared shuffles for the §6.8 tests: fixed keys, contexts and seeds, and honest proofs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

from crypto.elgamal import (
    Ciphertext,
    PublicKey,
    SecretKey,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
)
from crypto.group import Scalar
from crypto.hashing import encode_parts, hash_to_scalar
from crypto.shuffle import (
    ShuffleProof,
    ShuffleStatement,
    ShuffleWitness,
    gen_shuffle_proof,
    shuffle,
)

FINGERPRINT = bytes(range(32))
SK = SecretKey(Scalar(0x5EC2E75A1E))
PK = SK.public_key()
OTHER_PK = SecretKey(Scalar(0xBADBAD)).public_key()


def mix_context(mix: int, *, contest: bytes = b"nec", fingerprint: bytes = FINGERPRINT) -> bytes:
    """A context as §11 will build one: the election fingerprint, the contest, the mix number."""
    return encode_parts(b"verivote-test/mix", fingerprint, contest, mix.to_bytes(4, "big"))


def mix_seed(mix: int, *, contest: bytes = b"nec", fingerprint: bytes = FINGERPRINT) -> bytes:
    mix_bytes = mix.to_bytes(4, "big")
    return encode_parts(b"verivote-test/mix-generators", fingerprint, contest, mix_bytes)


CONTEXT = mix_context(1)
SEED = mix_seed(1)


def seeded(*labels: object) -> Scalar:
    """A fixed non-zero scalar."""
    value = hash_to_scalar(b"verivote-test/shuffle", *(str(label).encode() for label in labels))
    return value if value else Scalar(1)


def rankings(size: int) -> list[bytes]:
    """Distinct ranked-ballot byte strings (§5.6 flavour)."""
    return [bytes([i % 7, (i * 3) % 11, i // 7]) for i in range(size)]


def encrypt_all(values: Sequence[bytes | int], pk: PublicKey = PK) -> tuple[Ciphertext, ...]:
    out = []
    for i, value in enumerate(values):
        r = seeded("input", i, value)
        if isinstance(value, bytes):
            out.append(encrypt_bytes_with_randomness(pk, value, randomness=r))
        else:
            out.append(encrypt_with_randomness(pk, value, randomness=r))
    return tuple(out)


@dataclass(frozen=True)
class Case:
    statement: ShuffleStatement
    witness: ShuffleWitness
    proof: ShuffleProof

    def with_statement(self, **changes: object) -> ShuffleStatement:
        return replace(self.statement, **changes)  # type: ignore[arg-type]


def make_case(
    inputs: tuple[Ciphertext, ...],
    *,
    pk: PublicKey = PK,
    context: bytes = CONTEXT,
    seed: bytes = SEED,
) -> Case:
    outputs, witness = shuffle(pk, inputs)
    statement = ShuffleStatement(pk, inputs, outputs, context, seed)
    return Case(statement, witness, gen_shuffle_proof(statement, witness))


@cache
def honest(size: int) -> Case:
    """An honest shuffle of ``size`` embedded rankings (cached: tests only read it)."""
    return make_case(encrypt_all(rankings(size)))
