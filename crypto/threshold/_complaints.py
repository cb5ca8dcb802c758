"""Spec §7.4 Complaints against a dealer, and their adjudication by anyone from public data."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from crypto import canonical
from crypto.errors import InvalidProof, InvalidShare, MalformedInput
from crypto.group import G, Point, Scalar
from crypto.hashing import Dst
from crypto.proofs.chaum_pedersen import DleqProof, unsafe_prove_dleq, verify_dleq
from crypto.threshold._dealing import (
    Dealing,
    box_key,
    check_share,
    open_box,
    verify_encrypted_share,
)
from crypto.threshold._keys import TrusteeKeyPair, TrusteePublicKey
from crypto.threshold._parameters import (
    ThresholdParameters,
    index_bytes,
    label_context,
    parse_index,
)
from crypto.wire import expect_object


@dataclass(frozen=True, slots=True)
class Complaint:
    """Spec §7.4 Trustee j's complaint against dealer i: the shared secret S = R^e_j of the share
    box, with a DLEQ proof that log_g(E_j) = log_R(S).

    Wire form: ``{"dealer": i, "complainant": j, "shared_secret": S, "proof": {...}}``.
    """

    dealer: int
    complainant: int
    shared_secret: Point
    proof: DleqProof

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "dealer": self.dealer,
            "complainant": self.complainant,
            "shared_secret": self.shared_secret.to_hex(),
            "proof": dict(self.proof.to_json()),
        }

    @classmethod
    def from_json(cls, value: object) -> Complaint:
        """Spec §7.4 Parse a complaint strictly.

        Raises:
            MalformedInput: fields missing or unknown, bad index, point or scalar, or a
                complaint against oneself.
        """
        obj = expect_object(
            value, "complaint", required={"dealer", "complainant", "shared_secret", "proof"}
        )
        dealer = parse_index(obj["dealer"], "complaint: dealer")
        complainant = parse_index(obj["complainant"], "complaint: complainant")
        if dealer == complainant:
            raise MalformedInput(f"complaint: trustee {dealer} complains against itself")
        return cls(
            dealer,
            complainant,
            Point.from_hex(obj["shared_secret"]),
            DleqProof.from_json(obj["proof"], "complaint: proof"),
        )


class Ruling(enum.Enum):
    """Spec §7.4 The outcome of adjudicating a complaint."""

    DEALER_AT_FAULT = "dealer-at-fault"
    """The share does not open or does not match the commitments: the dealer cheated."""
    FALSE_COMPLAINT = "false-complaint"
    """The share opens and is valid: the complainant complained falsely."""
    VOID_COMPLAINT = "void-complaint"
    """The complaint's DLEQ proof does not verify: the complaint proves nothing."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """Spec §7.4 Who is at fault (a trustee index) after a complaint, and why."""

    ruling: Ruling
    at_fault: int
    reason: str


def complaint_context(parameters: ThresholdParameters, dealer: int, complainant: int) -> bytes:
    """Spec §7.4 ctx = encode_parts("verivote-1/dkg/complaint", κ, I2OSP(i, 4), I2OSP(j, 4))."""
    return label_context(
        Dst.DKG_COMPLAINT, parameters, index_bytes(dealer), index_bytes(complainant)
    )


def complain(
    parameters: ThresholdParameters, complainant: TrusteeKeyPair, dealing: Dealing
) -> Complaint:
    """Spec §7.4 Make trustee j's complaint against the dealer of ``dealing``.

    Only for a dealing that passes ``verify_dealing`` and whose share ``open_share`` refuses
    with InvalidShare: the complaint reveals S, hence that one share, to everyone.

    Raises:
        MalformedInput: no share for the complainant in the dealing.
        InvalidProof: the share's proof of knowledge of r does not verify: the dealing is
            publicly invalid, and revealing S would only serve the dealer.
    """
    return unsafe_complain(parameters, complainant, dealing, nonce=Scalar.random())


def unsafe_complain(
    parameters: ThresholdParameters,
    complainant: TrusteeKeyPair,
    dealing: Dealing,
    *,
    nonce: Scalar,
) -> Complaint:
    """Spec §7.4 The deterministic core of ``complain``. Never reuse a nonce.

    Raises:
        MalformedInput: no share for the complainant in the dealing.
        InvalidProof: the share's proof of knowledge of r does not verify.
    """
    j = complainant.trustee
    share = dealing.share_for(j)
    verify_encrypted_share(share, parameters, dealer=dealing.dealer)
    # S = R^e_j, and a DLEQ proof that log_g(E_j) = log_R(S) = e_j.
    shared_secret = share.ephemeral_key**complainant.secret
    proof = unsafe_prove_dleq(
        complainant.secret,
        g1=G,
        h1=complainant.public.encryption_key,
        g2=share.ephemeral_key,
        h2=shared_secret,
        context=complaint_context(parameters, dealing.dealer, j),
        nonce=nonce,
    )
    return Complaint(dealing.dealer, j, shared_secret, proof)


def adjudicate_complaint(
    complaint: Complaint,
    *,
    parameters: ThresholdParameters,
    dealing: Dealing,
    complainant_key: TrusteePublicKey,
) -> Verdict:
    """Spec §7.4 Decide a complaint from public data: who is at fault, and why.

    ``dealing`` must be the dealer's dealing, already accepted by ``verify_dealing``, and
    ``complainant_key`` the complainant's verified key (§7.1).

    Raises:
        MalformedInput: the dealing or the key belong to other trustees than the complaint.
    """
    i, j = complaint.dealer, complaint.complainant
    if dealing.dealer != i or complainant_key.trustee != j:
        raise MalformedInput(
            f"complaint {i}->{j}: given the dealing of {dealing.dealer} "
            f"and the key of {complainant_key.trustee}"
        )
    share = dealing.share_for(j)
    # Step 0: a share without a valid proof of knowledge of r condemns its dealer by itself.
    try:
        verify_encrypted_share(share, parameters, dealer=i)
    except InvalidProof as exc:
        return Verdict(Ruling.DEALER_AT_FAULT, i, f"dealer {i}: {exc}")
    # Step 1: the DLEQ proof must show S = R^e_j; otherwise the complaint is void.
    try:
        verify_dleq(
            complaint.proof,
            g1=G,
            h1=complainant_key.encryption_key,
            g2=share.ephemeral_key,
            h2=complaint.shared_secret,
            context=complaint_context(parameters, i, j),
        )
    except InvalidProof as exc:
        return Verdict(Ruling.VOID_COMPLAINT, j, f"complaint {i}->{j} is void: {exc}")
    # Step 2: open the box with the key S gives; the dealer is at fault if that fails...
    key = box_key(
        parameters,
        dealer=i,
        recipient=j,
        ephemeral_key=share.ephemeral_key,
        encryption_key=complainant_key.encryption_key,
        shared_secret=complaint.shared_secret,
    )
    try:
        value = open_box(key, share.ciphertext)
        check_share(value, dealing, j)
    except InvalidShare as exc:
        return Verdict(Ruling.DEALER_AT_FAULT, i, f"dealer {i} cheated trustee {j}: {exc}")
    # Step 3: ...and the complainant is, if the share is valid.
    return Verdict(
        Ruling.FALSE_COMPLAINT, j, f"trustee {j} complained falsely: the share from {i} is valid"
    )
