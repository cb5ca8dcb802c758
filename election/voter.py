"""Spec §11.4, §11.8 and §11.9 The voter's side of a ballot: encrypt the choices with every
proof, sign the entry with the credential, and open a ballot for a Benaloh audit.

Producer code: it draws randomness and holds the credential key and the encryption randomness
(kept only in ``EncryptedBallot.openings`` for an audit; never in repr). The verifier never
imports it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.credentials import CredentialKey, sign_with_credential
from crypto.elgamal import PublicKey, encrypt, encrypt_bytes
from crypto.envelope import sign_entry_with
from crypto.errors import MalformedInput
from crypto.group import Scalar
from crypto.proofs.disjunctive import prove_range, prove_sum_range
from crypto.proofs.randomness import prove_randomness
from election.wire import (
    AUDIT,
    BALLOT,
    EMPTY_RANKING,
    VOTER,
    Ballot,
    BallotLayout,
    ContestBallot,
    ContestShape,
    HomomorphicContestBallot,
    HomomorphicOpening,
    Opening,
    RankedContestBallot,
    RankedOpening,
    check_ranking,
    credential_signature_to_bytes,
    ranking_context,
    selection_context,
    total_context,
)

__all__ = [
    "CredentialSigner",
    "EncryptedBallot",
    "audit_payload",
    "check_choices",
    "encrypt_ballot",
    "sign_voter_entry",
]


@dataclass(frozen=True, slots=True)
class EncryptedBallot:
    """Spec §11.8 A ballot and, for an audit (§11.9), the openings of its ciphertexts."""

    ballot: Ballot
    openings: tuple[Opening, ...] = field(repr=False)


def check_choices(shape: ContestShape, marks: Sequence[int]) -> tuple[int, ...]:
    """Spec §11.8 Validate one contest's choices before encrypting: for a block, approval or
    referendum contest the marked option indices (distinct, below L_c, at most the total
    proof's maximum); for a ranked contest the ranking, most preferred first (empty: nobody).

    Raises:
        MalformedInput: choices the contest does not allow, with what is wrong.
    """
    if not shape.homomorphic:
        return tuple(EMPTY_RANKING) if not marks else tuple(check_ranking(marks, shape))
    chosen = tuple(marks)
    if len(set(chosen)) != len(chosen) or any(not 0 <= k < shape.options for k in chosen):
        raise MalformedInput(f"contest {shape.id}: mark distinct options 1 to {shape.options}")
    limit = shape.total_range
    if limit is not None and len(chosen) > limit[1]:
        raise MalformedInput(f"contest {shape.id}: at most {limit[1]} mark(s), got {len(chosen)}")
    return chosen


def encrypt_ballot(
    layout: BallotLayout,
    style: str,
    choices: Mapping[str, Sequence[int]],
    *,
    public_key: PublicKey,
    credential: CredentialKey,
) -> EncryptedBallot:
    """Spec §11.8 Encrypt one choice per contest of ``style`` under the election key, with the
    range proof of every selection, each contest's sum proof and each ranking's randomness
    proof, all bound to the fingerprint and the credential; the ballot carries the layout's
    paper hash (the candidate lists it was built against).

    Raises:
        MalformedInput: a contest of the style without choices, a contest not in it, choices
            the contest does not allow, or a layout without a paper hash (a contest without
            a candidate list).
    """
    shapes = layout.style(style)
    if layout.paper is None:
        raise MalformedInput("the ballot paper is not fixed: a contest has no candidate list")
    if set(choices) != {s.id for s in shapes}:
        raise MalformedInput(f"choices must name exactly the contests of style {style}")
    contests: list[ContestBallot] = []
    openings: list[Opening] = []
    fingerprint, x = credential.fingerprint, credential.public
    for shape in shapes:
        marks = check_choices(shape, choices[shape.id])
        if not shape.homomorphic:
            data = bytes(marks) if marks else EMPTY_RANKING
            ciphertext, r = encrypt_bytes(public_key, data)
            proof = prove_randomness(
                r,
                public_key=public_key,
                ciphertext=ciphertext,
                context=ranking_context(fingerprint, x, shape.id),
            )
            contests.append(RankedContestBallot(shape.id, ciphertext, proof))
            openings.append(RankedOpening(shape.id, tuple(data), (r,)))
            continue
        values = [int(k in marks) for k in range(shape.options)]
        encrypted = [encrypt(public_key, v) for v in values]
        selections = tuple(c for c, _ in encrypted)
        randomness = tuple(r for _, r in encrypted)
        proofs = tuple(
            prove_range(
                r,
                value=v,
                public_key=public_key,
                ciphertext=c,
                maximum=1,
                context=selection_context(fingerprint, x, shape.id, k),
            )
            for k, (v, (c, r)) in enumerate(zip(values, encrypted, strict=True))
        )
        total = None
        limit = shape.total_range
        if limit is not None:
            total_r = Scalar(0)
            for r in randomness:
                total_r = total_r + r
            total = prove_sum_range(
                total_r,
                value=sum(values),
                public_key=public_key,
                ciphertexts=selections,
                minimum=limit[0],
                maximum=limit[1],
                context=total_context(fingerprint, x, shape.id),
            )
        contests.append(HomomorphicContestBallot(shape.id, selections, proofs, total))
        openings.append(HomomorphicOpening(shape.id, tuple(values), randomness))
    return EncryptedBallot(Ballot(style, layout.paper, tuple(contests)), tuple(openings))


@dataclass(frozen=True, slots=True)
class CredentialSigner:
    """Spec §11.4 A member's credential signing voter entries: author key X (33 bytes), the
    credential signature of §8.2 as ``c || s``."""

    credential: CredentialKey = field(repr=False)

    @property
    def role(self) -> str:
        return VOTER

    @property
    def key(self) -> bytes:
        return self.credential.public.to_bytes()

    def sign(self, message: bytes) -> bytes:
        return credential_signature_to_bytes(sign_with_credential(self.credential, message))


def sign_voter_entry(
    *,
    election: str,
    type: str,
    payload: Mapping[str, JsonValue],
    credential: CredentialKey,
) -> bytes:
    """Spec §10.1 and §11.4 The canonical bytes of a voter entry (``ballot`` or ``audit``)
    signed with the credential (``crypto.envelope.sign_entry_with``).

    Raises:
        MalformedInput: a type voters do not post.
    """
    if type not in (BALLOT, AUDIT):
        raise MalformedInput(f"voters post ballot and audit entries, not {type!r}")
    return sign_entry_with(
        CredentialSigner(credential), election=election, type=type, payload=payload
    )


def audit_payload(signed_ballot: bytes, openings: Sequence[Opening]) -> dict[str, JsonValue]:
    """Spec §11.9 The payload of an ``audit``: the signed ballot entry not cast, and its
    openings (which reveal the choices and randomness: the ballot must never be cast)."""
    return {
        "ballot": canonical.decode(signed_ballot),
        "openings": [o.to_json() for o in openings],
    }
