"""Spec §7.5 The qualified set, the joint public key, verification keys, key shares and their
confirmation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crypto import canonical
from crypto.errors import CeremonyFailed, InvalidProof, InvalidShare, MalformedInput, VerivoteError
from crypto.group import Point, Scalar, g_pow, product
from crypto.hashing import Dst
from crypto.proofs.schnorr import SchnorrProof, unsafe_prove_schnorr, verify_schnorr
from crypto.threshold._complaints import Complaint, Ruling, Verdict, adjudicate_complaint
from crypto.threshold._dealing import DealerSecret, Dealing, verify_dealing
from crypto.threshold._keys import TrusteePublicKey, verify_trustee_key
from crypto.threshold._parameters import (
    MAX_TRUSTEES,
    ThresholdParameters,
    evaluate_commitments,
    index_bytes,
    label_context,
    parse_index,
)
from crypto.wire import expect_list, expect_object


@dataclass(frozen=True, slots=True)
class JointKey:
    """Spec §7.5 The outcome of a ceremony: the qualified dealers Q, the joint commitments
    A_k = Π_{i∈Q} C_ik, the joint public key Y = A_0 and every trustee's verification key
    X_j = Π_k A_k^(j^k).

    Wire form: ``{"qualified": [i, ...], "commitments": [A_0, ..., A_t-1]}`` (Q increasing).
    """

    parameters: ThresholdParameters
    qualified: tuple[int, ...]
    commitments: tuple[Point, ...]
    verification_keys: tuple[Point, ...] = field(repr=False)

    @classmethod
    def from_commitments(
        cls,
        parameters: ThresholdParameters,
        qualified: Sequence[int],
        commitments: Sequence[Point],
    ) -> JointKey:
        """Spec §7.5 The joint key for Q with joint commitments A_0..A_t-1.

        Raises:
            MalformedInput: Q not strictly increasing within 1..n_T, or not t commitments.
            CeremonyFailed: |Q| < t, or Y is the identity.
        """
        q = tuple(qualified)
        if list(q) != sorted(set(q)) or not all(1 <= i <= parameters.trustees for i in q):
            raise MalformedInput(f"joint key: qualified set {list(q)} not increasing in 1..n_T")
        if len(commitments) != parameters.threshold:
            raise MalformedInput(f"joint key: need t = {parameters.threshold} commitments")
        if len(q) < parameters.threshold:
            raise CeremonyFailed(
                f"only {len(q)} qualified dealer(s) {list(q)}, t = {parameters.threshold} needed"
            )
        if commitments[0].is_identity:
            raise CeremonyFailed("the joint public key is the identity")
        keys = tuple(evaluate_commitments(commitments, j) for j in parameters.indices)
        return cls(parameters, q, tuple(commitments), keys)

    @property
    def public_key(self) -> Point:
        """Spec §7.5 Y = A_0 = Π_{i∈Q} C_i0, the election public key."""
        return self.commitments[0]

    def verification_key(self, trustee: int) -> Point:
        """Spec §7.5 X_j = g^x_j.

        Raises:
            MalformedInput: ``trustee`` not in 1..n_T.
        """
        return self.verification_keys[self.parameters.check_index(trustee, "joint key") - 1]

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "qualified": list(self.qualified),
            "commitments": [a.to_hex() for a in self.commitments],
        }

    @classmethod
    def from_json(cls, value: object, parameters: ThresholdParameters) -> JointKey:
        """Spec §7.5 Parse a joint key strictly and recompute the verification keys.

        Raises:
            MalformedInput: fields missing or unknown, bad points, Q not increasing in 1..n_T,
                not t commitments.
            CeremonyFailed: |Q| < t or Y is the identity.
        """
        obj = expect_object(value, "joint key", required={"qualified", "commitments"})
        qualified = [
            parse_index(i, "joint key: qualified")
            for i in expect_list(obj["qualified"], "joint key: qualified", max_length=MAX_TRUSTEES)
        ]
        commitments = [
            Point.from_hex(a)
            for a in expect_list(
                obj["commitments"], "joint key: commitments", max_length=MAX_TRUSTEES
            )
        ]
        return cls.from_commitments(parameters, qualified, commitments)


@dataclass(frozen=True, slots=True)
class Disqualification:
    """Spec §7.5 A trustee left out of Q (absent), why in words, and the reason's code:
    ``no-key``, ``no-dealing`` or ``dealer-at-fault``."""

    dealer: int
    reason: str
    code: str = "dealer-at-fault"


@dataclass(frozen=True, slots=True)
class CeremonyResult:
    """Spec §7.5 What anyone computes from a ceremony's public transcript."""

    joint_key: JointKey
    disqualified: tuple[Disqualification, ...]
    verdicts: tuple[Verdict, ...]


def verify_ceremony(
    parameters: ThresholdParameters,
    trustee_keys: Sequence[TrusteePublicKey],
    dealings: Sequence[Dealing],
    complaints: Sequence[Complaint],
) -> CeremonyResult:
    """Spec §7.5 Check a whole ceremony transcript and derive Q, the joint key and the verdicts.

    ``trustee_keys`` are the participants' keys (§7.1), in increasing order: all n_T when every
    trustee published one. A trustee without a key is absent (``no-key``).

    Raises:
        MalformedInput: ``trustee_keys`` not strictly increasing trustees of 1..n_T, two
            dealings from one dealer, a dealing from a trustee with no key, or a dealing or
            complaint naming an index outside 1..n_T (a complainant outside the participants).
        CeremonyFailed: a trustee key is invalid, |Q| < t, or Y is the identity.
    """
    # Step 1: every participant's key must verify before dealing starts.
    indices = [k.trustee for k in trustee_keys]
    if indices != sorted(set(indices)) or not all(1 <= i <= parameters.trustees for i in indices):
        raise MalformedInput(
            f"need the participants' keys, trustees of 1..{parameters.trustees} in order"
        )
    keys = {k.trustee: k for k in trustee_keys}
    for key in trustee_keys:
        try:
            verify_trustee_key(key, parameters)
        except VerivoteError as exc:
            raise CeremonyFailed(f"trustee key {key.trustee} is invalid: {exc}") from None
    # Step 2: a dealer without a valid dealing is disqualified.
    by_dealer: dict[int, Dealing] = {}
    disqualified: dict[int, Disqualification] = {
        i: Disqualification(i, "no trustee key", "no-key")
        for i in parameters.indices
        if i not in keys
    }
    for dealing in dealings:
        parameters.check_index(dealing.dealer, "dealing")
        if dealing.dealer not in keys:
            raise MalformedInput(f"a dealing from trustee {dealing.dealer}, who has no key")
        if dealing.dealer in by_dealer:
            raise MalformedInput(f"two dealings from dealer {dealing.dealer}")
        by_dealer[dealing.dealer] = dealing
        try:
            verify_dealing(dealing, parameters, indices)
        except VerivoteError as exc:
            disqualified[dealing.dealer] = Disqualification(
                dealing.dealer, f"invalid dealing: {exc}", "no-dealing"
            )
    for i in indices:
        if i not in by_dealer:
            disqualified[i] = Disqualification(i, "no dealing", "no-dealing")
    # Step 3: adjudicate every complaint against a dealer whose dealing is valid (complaints
    # against a dealer already out of Q change nothing and are not adjudicated).
    out_before_complaints = set(disqualified)
    verdicts = []
    for complaint in complaints:
        parameters.check_index(complaint.dealer, "complaint")
        parameters.check_index(complaint.complainant, "complaint")
        if complaint.complainant not in keys:
            raise MalformedInput(
                f"a complaint from trustee {complaint.complainant}, who has no key"
            )
        if complaint.dealer in out_before_complaints:
            continue
        verdict = adjudicate_complaint(
            complaint,
            parameters=parameters,
            dealing=by_dealer[complaint.dealer],
            complainant_key=keys[complaint.complainant],
        )
        verdicts.append(verdict)
        if verdict.ruling is Ruling.DEALER_AT_FAULT:
            disqualified.setdefault(
                complaint.dealer,
                Disqualification(complaint.dealer, verdict.reason, "dealer-at-fault"),
            )
    # Step 4: Q and the joint commitments A_k = Π_{i∈Q} C_ik.
    qualified = [i for i in parameters.indices if i not in disqualified]
    if len(qualified) < parameters.threshold:
        raise CeremonyFailed(
            f"only {len(qualified)} qualified dealer(s), t = {parameters.threshold} needed: "
            + "; ".join(f"{i}: {d.reason}" for i, d in sorted(disqualified.items()))
        )
    joint = tuple(
        product(by_dealer[i].commitments[k] for i in qualified) for k in range(parameters.threshold)
    )
    return CeremonyResult(
        JointKey.from_commitments(parameters, qualified, joint),
        tuple(d for _, d in sorted(disqualified.items())),
        tuple(verdicts),
    )


@dataclass(frozen=True, slots=True, eq=False)
class KeyShare:
    """Spec §7.5 Trustee j's share x_j of the joint secret, with X_j = g^x_j. Never in repr."""

    trustee: int
    secret: Scalar = field(repr=False)
    verification_key: Point

    def export_secret(self) -> bytes:
        """Spec §7.1 The canonical JSON ``{"secret", "trustee", "verification_key"}``: seal it."""
        return canonical.encode(
            {
                "secret": self.secret.to_hex(),
                "trustee": self.trustee,
                "verification_key": self.verification_key.to_hex(),
            }
        )

    @classmethod
    def import_secret(cls, data: bytes) -> KeyShare:
        """Spec §7.1 Rebuild a key share from ``export_secret()`` bytes.

        Raises:
            MalformedInput: not the canonical JSON of a key share, or g^x_j != X_j.
        """
        obj = expect_object(
            canonical.decode(data),
            "key share",
            required={"secret", "trustee", "verification_key"},
        )
        share = cls(
            parse_index(obj["trustee"], "key share: trustee"),
            Scalar.from_hex(obj["secret"]),
            Point.from_hex(obj["verification_key"]),
        )
        if g_pow(share.secret) != share.verification_key:
            raise MalformedInput("key share: the secret does not match the verification key")
        return share


def derive_key_share(
    dealer_secret: DealerSecret, received: Mapping[int, Scalar], joint_key: JointKey
) -> KeyShare:
    """Spec §7.5 Trustee j's share x_j = Σ_{i∈Q} s_ij, checked against X_j.

    ``dealer_secret`` is trustee j's own polynomial (giving s_jj); ``received`` maps each other
    qualified dealer i to the s_ij that ``open_share`` returned (extra dealers are ignored).

    Raises:
        MalformedInput: a share from a qualified dealer is missing.
        InvalidShare: g^x_j != X_j.
    """
    j = dealer_secret.dealer
    total = Scalar(0)
    for i in joint_key.qualified:
        if i == j:
            total = total + dealer_secret.share_for(j)
        elif i in received:
            total = total + received[i]
        else:
            raise MalformedInput(f"key share {j}: no share from qualified dealer {i}")
    expected = joint_key.verification_key(j)
    if g_pow(total) != expected:
        raise InvalidShare(f"key share {j}: g^x_j does not equal the verification key X_j")
    return KeyShare(j, total, expected)


@dataclass(frozen=True, slots=True)
class KeyConfirmation:
    """Spec §7.5 Trustee j confirms it holds x_j for X_j under the joint key Y.

    Wire form: ``{"trustee": j, "public_key": Y, "verification_key": X_j, "proof": {...}}``.
    """

    trustee: int
    public_key: Point
    verification_key: Point
    proof: SchnorrProof

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "trustee": self.trustee,
            "public_key": self.public_key.to_hex(),
            "verification_key": self.verification_key.to_hex(),
            "proof": dict(self.proof.to_json()),
        }

    @classmethod
    def from_json(cls, value: object) -> KeyConfirmation:
        """Spec §7.5 Parse a key confirmation strictly.

        Raises:
            MalformedInput: fields missing or unknown, bad index, point or scalar.
        """
        obj = expect_object(
            value,
            "key confirmation",
            required={"trustee", "public_key", "verification_key", "proof"},
        )
        return cls(
            parse_index(obj["trustee"], "key confirmation: trustee"),
            Point.from_hex(obj["public_key"]),
            Point.from_hex(obj["verification_key"]),
            SchnorrProof.from_json(obj["proof"], "key confirmation: proof"),
        )


def confirmation_context(parameters: ThresholdParameters, trustee: int, public_key: Point) -> bytes:
    """Spec §7.5 ctx = encode_parts("verivote-1/dkg/confirmation", κ, I2OSP(j, 4), Y)."""
    return label_context(
        Dst.DKG_CONFIRMATION, parameters, index_bytes(trustee), public_key.to_bytes()
    )


def confirm_key(key_share: KeyShare, joint_key: JointKey) -> KeyConfirmation:
    """Spec §7.5 Prove knowledge of x_j for X_j, bound to the joint key Y."""
    return unsafe_confirm_key(key_share, joint_key, nonce=Scalar.random())


def unsafe_confirm_key(
    key_share: KeyShare, joint_key: JointKey, *, nonce: Scalar
) -> KeyConfirmation:
    """Spec §7.5 The deterministic core of ``confirm_key``. Never reuse a nonce."""
    j = key_share.trustee
    proof = unsafe_prove_schnorr(
        key_share.secret,
        public=key_share.verification_key,
        context=confirmation_context(joint_key.parameters, j, joint_key.public_key),
        nonce=nonce,
    )
    return KeyConfirmation(j, joint_key.public_key, key_share.verification_key, proof)


def verify_key_confirmation(confirmation: KeyConfirmation, joint_key: JointKey) -> None:
    """Spec §7.5 Check that trustee j confirms this joint key and its own X_j, with a valid proof.

    Raises:
        MalformedInput: the trustee index is not in 1..n_T.
        InvalidProof: Y or X_j differ from the joint key's, or the proof does not verify.
    """
    j = confirmation.trustee
    expected = joint_key.verification_key(j)
    if confirmation.public_key != joint_key.public_key:
        raise InvalidProof(f"key confirmation {j}: confirms another joint public key")
    if confirmation.verification_key != expected:
        raise InvalidProof(f"key confirmation {j}: another verification key than X_{j}")
    verify_schnorr(
        confirmation.proof,
        public=expected,
        context=confirmation_context(joint_key.parameters, j, joint_key.public_key),
    )
