"""Spec §11.4 and §11.9 Voter entries: the credential signature scheme of the ``voter`` role, a
signed ballot entry as carried inside an audit, and the Benaloh audit with its openings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.credentials import (
    CredentialSignature,
    credential_signature_holds,
    verify_credential_signature,
)
from crypto.elgamal import (
    Ciphertext,
    PublicKey,
    encrypt_bytes_with_randomness,
    encrypt_with_randomness,
)
from crypto.envelope import (
    ED25519_SCHEMES,
    Entry,
    SignatureScheme,
    UnsupportedRole,
    entry_from_json,
)
from crypto.errors import InvalidProof, InvalidSignature, MalformedInput
from crypto.group import ENCODED_POINT_LENGTH, Point, Scalar
from crypto.wire import expect_int, expect_str
from election.definition import MAX_CONTESTS
from election.wire._ballot import (
    Ballot,
    BallotLayout,
    ContestShape,
    RankedContestBallot,
    check_ranking,
    verify_ballot,
)
from election.wire._common import (
    BALLOT,
    VOTER,
    credential_from_bytes,
    expect_exact,
    expect_items,
)

VOTER_KEY_LENGTH: Final = ENCODED_POINT_LENGTH
VOTER_SIGNATURE_LENGTH: Final = 64


def credential_signature_from_bytes(data: bytes) -> CredentialSignature:
    """Spec §11.4 A voter entry's signature: ``c || s``, 32 bytes each (§2.2).

    Raises:
        MalformedInput: not 64 bytes, or c or s not below n.
    """
    if len(data) != VOTER_SIGNATURE_LENGTH:
        raise MalformedInput(f"credential signature must be 64 bytes, got {len(data)}")
    return CredentialSignature(Scalar.from_bytes(data[:32]), Scalar.from_bytes(data[32:]))


def credential_signature_to_bytes(signature: CredentialSignature) -> bytes:
    """Spec §11.4 ``c || s``."""
    return signature.challenge.to_bytes() + signature.response.to_bytes()


@dataclass(frozen=True, slots=True)
class CredentialScheme:
    """Spec §11.4 The ``voter`` role's signature scheme: the credential signature of §8.2 in
    election ``fingerprint``, over the entry's canonical bytes without its signature. The author
    key is the credential X (33 bytes), the signature ``c || s`` (64 bytes).

    Without a fingerprint (no definition on the log yet) every voter signature is refused.
    """

    fingerprint: bytes | None
    key_length: int = VOTER_KEY_LENGTH
    signature_length: int = VOTER_SIGNATURE_LENGTH

    def verify(self, key: bytes, message: bytes, signature: bytes) -> None:
        """Raises: InvalidSignature (also without a fingerprint), MalformedInput (bad key)."""
        if self.fingerprint is None:
            raise InvalidSignature("no election definition yet: voter signatures cannot verify")
        if not self.holds(key, message, signature):  # then decode the key and name the fault
            self.verify_credential(credential_from_bytes(key, "voter key"), message, signature)

    def holds(self, key: bytes, message: bytes, signature: bytes) -> bool:
        """Whether the signature verifies, the key decoded only inside libsecp256k1
        (``crypto.credentials.credential_signature_holds``): True only if it does; on False,
        ``verify`` decides and names the fault."""
        return self.fingerprint is not None and credential_signature_holds(
            signature, credential=key, message=message, fingerprint=self.fingerprint
        )

    def verify_credential(self, credential: Point, message: bytes, signature: bytes) -> None:
        """``verify`` with the author key already decoded (a verifier needs it anyway).

        Raises: InvalidSignature (also without a fingerprint)."""
        if self.fingerprint is None:
            raise InvalidSignature("no election definition yet: voter signatures cannot verify")
        try:
            parsed = credential_signature_from_bytes(signature)
        except MalformedInput:
            raise InvalidSignature("credential signature: c or s out of range") from None
        verify_credential_signature(
            parsed, credential=credential, message=message, fingerprint=self.fingerprint
        )


def election_schemes(fingerprint: bytes | None) -> Mapping[str, SignatureScheme]:
    """Spec §10.1 and §11.4 The signature scheme of every role of an election's entries:
    Ed25519 for administrator, issuer, trustee and board; the credential signature bound to
    ``fingerprint`` for voters (refusing every voter signature without a fingerprint)."""
    return {**ED25519_SCHEMES, VOTER: CredentialScheme(fingerprint)}


@dataclass(frozen=True, slots=True)
class SignedBallot:
    """Spec §11.9 A complete, signed ``ballot`` entry (§10.1) inside an audit: never posted."""

    entry: Entry
    credential: Point
    ballot: Ballot

    @property
    def election(self) -> str:
        return self.entry.election

    @property
    def raw(self) -> bytes:
        return self.entry.raw

    @property
    def tracker(self) -> bytes:
        """Spec §11.8 The ballot's tracker: its entry hash (§10.1)."""
        return self.entry.hash

    @classmethod
    def from_json(cls, value: JsonValue, layout: BallotLayout) -> SignedBallot:
        """Spec §10.1 and §11.8 Parse a voter's ballot entry object (not its signature check:
        ``verify_signature``).

        Raises:
            MalformedInput: not a version-1 ``ballot`` entry of the ``voter`` role, or a
                malformed ballot.
        """
        try:
            entry = entry_from_json(value, {VOTER: CredentialScheme(None)}, verify=False)
        except UnsupportedRole:
            raise MalformedInput("audited ballot must be signed by a voter") from None
        if entry.type != BALLOT:
            raise MalformedInput(f"audited entry must be a ballot, got {entry.type!r}")
        return cls(
            entry,
            credential_from_bytes(entry.key, "audited ballot key"),
            Ballot.from_json(entry.payload, layout),
        )

    def verify_signature(self, fingerprint: bytes) -> None:
        """Spec §11.4 The credential signature over the entry without its signature.

        Raises:
            InvalidSignature.
        """
        self.entry.verify_signature(CredentialScheme(fingerprint))

    def to_json(self) -> JsonValue:
        return canonical.decode(self.raw)


# --- openings --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HomomorphicOpening:
    """Spec §11.9 The choices m_k and randomness r_k of a homomorphic contest's ciphertexts."""

    contest: str
    choices: tuple[int, ...]
    randomness: tuple[Scalar, ...] = field(repr=False)

    @classmethod
    def from_json(cls, value: object, shape: ContestShape) -> HomomorphicOpening:
        """Raises: MalformedInput (wrong contest, counts, a choice other than 0 or 1)."""
        what = f"opening of {shape.id}"
        obj = expect_exact(value, what, {"contest", "choices", "randomness"})
        if obj["contest"] != shape.id:
            raise MalformedInput(f"{what}: opens contest {obj['contest']!r}")
        choices = expect_items(obj["choices"], f"{what}.choices", maximum=shape.options)
        randomness = expect_items(obj["randomness"], f"{what}.randomness", maximum=shape.options)
        if len(choices) != shape.options or len(randomness) != shape.options:
            raise MalformedInput(f"{what}: need {shape.options} choices and randomness")
        return cls(
            shape.id,
            tuple(expect_int(m, f"{what}.choices", minimum=0, maximum=1) for m in choices),
            tuple(Scalar.from_hex(expect_str(r, f"{what}.randomness")) for r in randomness),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "contest": self.contest,
            "choices": list(self.choices),
            "randomness": [r.to_hex() for r in self.randomness],
        }


@dataclass(frozen=True, slots=True)
class RankedOpening:
    """Spec §11.9 The ranking (option indices, or [255] for nobody) and its randomness r."""

    contest: str
    ranking: tuple[int, ...]
    randomness: tuple[Scalar, ...] = field(repr=False)

    @classmethod
    def from_json(cls, value: object, shape: ContestShape) -> RankedOpening:
        """Raises: MalformedInput (wrong contest, an invalid ranking, not one randomness)."""
        what = f"opening of {shape.id}"
        obj = expect_exact(value, what, {"contest", "ranking", "randomness"})
        if obj["contest"] != shape.id:
            raise MalformedInput(f"{what}: opens contest {obj['contest']!r}")
        ranking = tuple(
            expect_int(i, f"{what}.ranking", minimum=0, maximum=255)
            for i in expect_items(obj["ranking"], f"{what}.ranking", maximum=32)
        )
        check_ranking(ranking, shape)
        randomness = expect_items(obj["randomness"], f"{what}.randomness", minimum=1, maximum=1)
        return cls(
            shape.id, ranking, (Scalar.from_hex(expect_str(randomness[0], f"{what}.randomness")),)
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "contest": self.contest,
            "ranking": list(self.ranking),
            "randomness": [r.to_hex() for r in self.randomness],
        }


Opening = HomomorphicOpening | RankedOpening


@dataclass(frozen=True, slots=True)
class Audit:
    """Spec §11.9 The ``audit`` payload: a signed ballot the voter chose not to cast, opened."""

    ballot: SignedBallot
    openings: tuple[Opening, ...]

    @classmethod
    def from_json(cls, value: object, layout: BallotLayout) -> Audit:
        """Raises: MalformedInput (a malformed ballot, not one opening per contest in order)."""
        obj = expect_exact(value, "audit payload", {"ballot", "openings"})
        ballot = SignedBallot.from_json(obj["ballot"], layout)
        shapes = layout.style(ballot.ballot.style)
        items = expect_items(obj["openings"], "audit openings", maximum=MAX_CONTESTS)
        if len(items) != len(shapes):
            raise MalformedInput(f"audit: {len(items)} openings for {len(shapes)} contests")
        openings: list[Opening] = [
            HomomorphicOpening.from_json(item, shape)
            if shape.homomorphic
            else RankedOpening.from_json(item, shape)
            for item, shape in zip(items, shapes, strict=True)
        ]
        return cls(ballot, tuple(openings))

    def to_json(self) -> dict[str, JsonValue]:
        return {"ballot": self.ballot.to_json(), "openings": [o.to_json() for o in self.openings]}


def verify_audit(
    audit: Audit,
    *,
    election: str,
    author: Point,
    fingerprint: bytes,
    public_key: PublicKey,
    layout: BallotLayout,
) -> None:
    """Spec §11.9 Check an audit posted by ``author``: the inner ballot is for this election,
    signed by the same credential, its proofs verify, and every ciphertext re-encrypts from its
    opening (so the ballot encrypted exactly the choices the opening shows).

    Raises:
        InvalidProof: a proof fails, or an opening does not re-encrypt to its ciphertext.
        InvalidSignature: the inner ballot's signature does not verify.
        MalformedInput: another election or another credential than the audit's author.
    """
    inner = audit.ballot
    if inner.election != election:
        raise MalformedInput(f"audit: the ballot is for election {inner.election!r}")
    if inner.credential != author:
        raise MalformedInput("audit: the ballot is signed by another credential")
    inner.verify_signature(fingerprint)
    verify_ballot(
        inner.ballot,
        credential=author,
        fingerprint=fingerprint,
        public_key=public_key,
        layout=layout,
    )
    for contest, opening in zip(inner.ballot.contests, audit.openings, strict=True):
        if isinstance(contest, RankedContestBallot):
            assert isinstance(opening, RankedOpening)
            expected = encrypt_bytes_with_randomness(
                public_key, bytes(opening.ranking), randomness=opening.randomness[0]
            )
            _same(expected, contest.ranking, f"contest {contest.contest}: ranking")
            continue
        assert isinstance(opening, HomomorphicOpening)
        for k, (m, r, ciphertext) in enumerate(
            zip(opening.choices, opening.randomness, contest.selections, strict=True)
        ):
            expected = encrypt_with_randomness(public_key, m, randomness=r)
            _same(expected, ciphertext, f"contest {contest.contest}: option {k}")


def _same(expected: Ciphertext, actual: Ciphertext, what: str) -> None:
    if expected != actual:
        raise InvalidProof(f"audit: {what} does not re-encrypt from its opening")
