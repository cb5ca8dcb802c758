"""Spec §7.2 Dealing (Feldman commitments) and §7.3 encrypted shares (hashed ElGamal)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import nacl.exceptions
import nacl.secret

from crypto import canonical
from crypto.errors import InvalidProof, InvalidShare, MalformedInput
from crypto.group import Point, Scalar, g_pow
from crypto.hashing import Dst, hash_bytes
from crypto.proofs._common import reject_identity
from crypto.proofs.schnorr import SchnorrProof, unsafe_prove_schnorr, verify_schnorr
from crypto.threshold._keys import TrusteeKeyPair, TrusteePublicKey
from crypto.threshold._parameters import (
    MAX_TRUSTEES,
    ThresholdParameters,
    evaluate_commitments,
    evaluate_polynomial,
    index_bytes,
    label_context,
    parse_index,
)
from crypto.wire import expect_list, expect_object, parse_hex

# Spec §7.3 The box: XSalsa20-Poly1305 (NaCl secretbox) of the 32-byte share, nonce all zero
# (each key is used once), giving a 16-byte tag followed by 32 bytes of ciphertext.
_BOX_NONCE: Final = bytes(nacl.secret.SecretBox.NONCE_SIZE)
CIPHERTEXT_LENGTH: Final = 32 + nacl.secret.SecretBox.MACBYTES


@dataclass(frozen=True, slots=True)
class EncryptedShare:
    """Spec §7.3 s_ij for recipient j: ephemeral key R = g^r, its proof of knowledge, the box.

    Wire form: ``{"recipient": j, "ephemeral_key": R, "proof": {...}, "ciphertext": 48 bytes}``.
    """

    recipient: int
    ephemeral_key: Point
    proof: SchnorrProof
    ciphertext: bytes

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "recipient": self.recipient,
            "ephemeral_key": self.ephemeral_key.to_hex(),
            "proof": dict(self.proof.to_json()),
            "ciphertext": self.ciphertext.hex(),
        }

    @classmethod
    def from_json(cls, value: object) -> EncryptedShare:
        """Spec §7.3 Parse an encrypted share strictly.

        Raises:
            MalformedInput: fields missing or unknown, bad index, point, scalar, or a ciphertext
                that is not exactly 48 bytes.
        """
        obj = expect_object(
            value,
            "encrypted share",
            required={"recipient", "ephemeral_key", "proof", "ciphertext"},
        )
        return cls(
            recipient=parse_index(obj["recipient"], "encrypted share: recipient"),
            ephemeral_key=Point.from_hex(obj["ephemeral_key"]),
            proof=SchnorrProof.from_json(obj["proof"], "encrypted share: proof"),
            ciphertext=parse_hex(obj["ciphertext"], CIPHERTEXT_LENGTH, "encrypted share"),
        )


@dataclass(frozen=True, slots=True)
class Dealing:
    """Spec §7.2 Dealer i's Feldman commitments C_i0..C_i,t-1, a proof of knowledge of a_i0, and
    §7.3 the encrypted shares for every other trustee, in increasing recipient order.

    Wire form: ``{"dealer": i, "commitments": [C_i0, ...], "proof": {...}, "shares": [...]}``.
    """

    dealer: int
    commitments: tuple[Point, ...]
    proof: SchnorrProof
    shares: tuple[EncryptedShare, ...]

    def share_for(self, recipient: int) -> EncryptedShare:
        """The encrypted share addressed to ``recipient``.

        Raises:
            MalformedInput: the dealing holds no share for ``recipient``.
        """
        for share in self.shares:
            if share.recipient == recipient:
                return share
        raise MalformedInput(f"dealing {self.dealer}: no share for trustee {recipient}")

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "dealer": self.dealer,
            "commitments": [c.to_hex() for c in self.commitments],
            "proof": dict(self.proof.to_json()),
            "shares": [s.to_json() for s in self.shares],
        }

    @classmethod
    def from_json(cls, value: object) -> Dealing:
        """Spec §7.2 Parse a dealing strictly (its size against n and t is checked by
        ``verify_dealing``).

        Raises:
            MalformedInput: fields missing or unknown, bad index, point or scalar, more than 255
                commitments or shares, shares not in strictly increasing recipient order, or a
                share addressed to the dealer itself.
        """
        obj = expect_object(value, "dealing", required={"dealer", "commitments", "proof", "shares"})
        dealer = parse_index(obj["dealer"], "dealing: dealer")
        commitments = tuple(
            Point.from_hex(c)
            for c in expect_list(
                obj["commitments"], "dealing: commitments", max_length=MAX_TRUSTEES
            )
        )
        shares = tuple(
            EncryptedShare.from_json(s)
            for s in expect_list(obj["shares"], "dealing: shares", max_length=MAX_TRUSTEES)
        )
        recipients = [s.recipient for s in shares]
        if recipients != sorted(set(recipients)):
            raise MalformedInput(f"dealing {dealer}: shares not in increasing recipient order")
        if dealer in recipients:
            raise MalformedInput(f"dealing {dealer}: share addressed to the dealer itself")
        proof = SchnorrProof.from_json(obj["proof"], "dealing: proof")
        return cls(dealer, commitments, proof, shares)


@dataclass(frozen=True, slots=True, eq=False)
class DealerSecret:
    """Spec §7.2 Dealer i's polynomial f_i (coefficients a_i0..a_i,t-1). Never shown in repr."""

    dealer: int
    coefficients: tuple[Scalar, ...] = field(repr=False)

    def share_for(self, recipient: int) -> Scalar:
        """Spec §7.2 s_ij = f_i(j)."""
        return evaluate_polynomial(self.coefficients, recipient)

    def export_secret(self) -> bytes:
        """Spec §7.1 The canonical JSON ``{"coefficients": [...], "dealer": i}``: seal it."""
        return canonical.encode(
            {"coefficients": [a.to_hex() for a in self.coefficients], "dealer": self.dealer}
        )

    @classmethod
    def import_secret(cls, data: bytes) -> DealerSecret:
        """Spec §7.1 Rebuild a dealer secret from ``export_secret()`` bytes.

        Raises:
            MalformedInput: not the canonical JSON of a dealer secret.
        """
        obj = expect_object(
            canonical.decode(data), "dealer secret", required={"coefficients", "dealer"}
        )
        coefficients = tuple(
            Scalar.from_hex(a)
            for a in expect_list(obj["coefficients"], "coefficients", max_length=MAX_TRUSTEES)
        )
        if not coefficients:
            raise MalformedInput("dealer secret: no coefficients")
        return cls(parse_index(obj["dealer"], "dealer secret: dealer"), coefficients)


# Contexts and the box ------------------------------------------------------------------------
def commitment_context(
    parameters: ThresholdParameters, dealer: int, commitments: Sequence[Point]
) -> bytes:
    """Spec §7.2 ctx = encode_parts("verivote-1/dkg/commitment", κ, I2OSP(i, 4), C_i0, ...)."""
    return label_context(
        Dst.DKG_COMMITMENT,
        parameters,
        index_bytes(dealer),
        *(c.to_bytes() for c in commitments),
    )


def ephemeral_context(
    parameters: ThresholdParameters, dealer: int, recipient: int, ciphertext: bytes
) -> bytes:
    """Spec §7.3 ctx = encode_parts("verivote-1/dkg/share-ephemeral", κ, i, j, ciphertext)."""
    return label_context(
        Dst.DKG_SHARE_EPHEMERAL,
        parameters,
        index_bytes(dealer),
        index_bytes(recipient),
        ciphertext,
    )


def box_key(
    parameters: ThresholdParameters,
    *,
    dealer: int,
    recipient: int,
    ephemeral_key: Point,
    encryption_key: Point,
    shared_secret: Point,
) -> bytes:
    """Spec §7.3 K = H("verivote-1/dkg/share-box", κ, I2OSP(i, 4), I2OSP(j, 4), R, E_j, S)."""
    return hash_bytes(
        Dst.DKG_SHARE_KEY,
        parameters.context,
        index_bytes(dealer),
        index_bytes(recipient),
        ephemeral_key.to_bytes(),
        encryption_key.to_bytes(),
        shared_secret.to_bytes(),
    )


def open_box(key: bytes, ciphertext: bytes) -> Scalar:
    """Spec §7.3 Open a share box and decode the share.

    Raises:
        InvalidShare: the box does not open under ``key``, or holds no scalar < n.
    """
    try:
        plaintext = nacl.secret.SecretBox(key).decrypt(ciphertext, _BOX_NONCE)
    except nacl.exceptions.CryptoError:
        raise InvalidShare("the share's box does not open") from None
    try:
        return Scalar.from_bytes(plaintext)
    except MalformedInput:
        raise InvalidShare("the share's box does not hold a scalar < n") from None


# Dealing ---------------------------------------------------------------------------------------
def deal(
    parameters: ThresholdParameters, dealer: int, trustee_keys: Sequence[TrusteePublicKey]
) -> tuple[DealerSecret, Dealing]:
    """Spec §7.2-§7.3 Draw dealer ``dealer``'s polynomial, commit to it, encrypt its shares.

    ``trustee_keys`` are the participants' verified trustee keys (§7.1), in index order (all
    n_T of them when every trustee published one), the dealer's own among them.

    Raises:
        MalformedInput: ``dealer`` not in 1..n_T or not a participant, or ``trustee_keys`` not
            strictly increasing trustees of 1..n_T.
    """
    others = [k.trustee for k in trustee_keys if k.trustee != dealer]
    return unsafe_deal(
        parameters,
        dealer,
        trustee_keys,
        coefficients=[Scalar.random() for _ in range(parameters.threshold)],
        nonce=Scalar.random(),
        ephemerals={j: (Scalar.random(), Scalar.random()) for j in others},
    )


def unsafe_deal(
    parameters: ThresholdParameters,
    dealer: int,
    trustee_keys: Sequence[TrusteePublicKey],
    *,
    coefficients: Sequence[Scalar],
    nonce: Scalar,
    ephemerals: Mapping[int, tuple[Scalar, Scalar]],
) -> tuple[DealerSecret, Dealing]:
    """Spec §7.2-§7.3 The deterministic core of ``deal``. Never reuse any of the randomness.

    ``coefficients`` are a_i0..a_i,t-1 (non-zero); ``nonce`` is the proof nonce for a_i0;
    ``ephemerals[j]`` is (r, w): the ephemeral secret for recipient j and its proof nonce.

    Raises:
        MalformedInput: wrong number of coefficients, a zero coefficient or ephemeral secret,
            ``ephemerals`` not exactly the other participants, or ``trustee_keys`` not strictly
            increasing trustees of 1..n_T with the dealer among them.
    """
    parameters.check_index(dealer, "dealing")
    keys = {k.trustee: k for k in check_trustee_keys(parameters, trustee_keys)}
    if dealer not in keys:
        raise MalformedInput(f"dealing: dealer {dealer} is not a participant (no trustee key)")
    if len(coefficients) != parameters.threshold:
        raise MalformedInput(f"dealing: need t = {parameters.threshold} coefficients")
    if not all(coefficients):
        raise MalformedInput("dealing: zero coefficient")
    others = [j for j in keys if j != dealer]
    if sorted(ephemerals) != others:
        raise MalformedInput("dealing: need one ephemeral secret per other participant")
    secret = DealerSecret(dealer, tuple(coefficients))
    # Step 1: Feldman commitments C_ik = g^a_ik and a proof of knowledge of a_i0.
    commitments = tuple(g_pow(a) for a in coefficients)
    proof = unsafe_prove_schnorr(
        coefficients[0],
        public=commitments[0],
        context=commitment_context(parameters, dealer, commitments),
        nonce=nonce,
    )
    # Step 2: for each j != i, s_ij = f_i(j) sealed to E_j.
    shares = tuple(
        _encrypt_share(
            parameters,
            dealer,
            keys[j],
            secret.share_for(j),
            ephemeral=ephemerals[j][0],
            nonce=ephemerals[j][1],
        )
        for j in others
    )
    return secret, Dealing(dealer, commitments, proof, shares)


def _encrypt_share(
    parameters: ThresholdParameters,
    dealer: int,
    recipient: TrusteePublicKey,
    share: Scalar,
    *,
    ephemeral: Scalar,
    nonce: Scalar,
) -> EncryptedShare:
    if not ephemeral:
        raise MalformedInput("dealing: zero ephemeral secret")
    j = recipient.trustee
    # Step 2a: R = g^r, S = E_j^r, K = H(..., R, E_j, S).
    ephemeral_key = g_pow(ephemeral)
    shared_secret = recipient.encryption_key**ephemeral
    key = box_key(
        parameters,
        dealer=dealer,
        recipient=j,
        ephemeral_key=ephemeral_key,
        encryption_key=recipient.encryption_key,
        shared_secret=shared_secret,
    )
    # Step 2b: the box, then a proof of knowledge of r bound to (i, j, box).
    ciphertext = nacl.secret.SecretBox(key).encrypt(share.to_bytes(), _BOX_NONCE).ciphertext
    proof = unsafe_prove_schnorr(
        ephemeral,
        public=ephemeral_key,
        context=ephemeral_context(parameters, dealer, j, ciphertext),
        nonce=nonce,
    )
    return EncryptedShare(j, ephemeral_key, proof, bytes(ciphertext))


def check_trustee_keys(
    parameters: ThresholdParameters, trustee_keys: Sequence[TrusteePublicKey]
) -> Sequence[TrusteePublicKey]:
    """Spec §7.1 The participants' keys. Raises: MalformedInput unless ``trustee_keys`` are
    trustees of 1..n_T in strictly increasing order."""
    indices = [k.trustee for k in trustee_keys]
    if indices != sorted(set(indices)) or not all(1 <= i <= parameters.trustees for i in indices):
        raise MalformedInput(
            f"need the participants' keys, trustees of 1..{parameters.trustees} in order"
        )
    return trustee_keys


def verify_dealing(
    dealing: Dealing,
    parameters: ThresholdParameters,
    participants: Sequence[int] | None = None,
) -> None:
    """Spec §7.2-§7.3 The public checks of a dealing; a dealing that fails them disqualifies its
    dealer without any complaint. ``participants`` (§7.1, increasing) default to 1..n_T.

    Raises:
        MalformedInput: dealer not in 1..n_T or not a participant, not t commitments, or not
            one share for each other participant.
        InvalidProof: a commitment is the identity, or a proof of knowledge (of a_i0, or of an
            ephemeral secret) does not verify.
    """
    i = parameters.check_index(dealing.dealer, "dealing")
    members = list(parameters.indices if participants is None else participants)
    if i not in members:
        raise MalformedInput(f"dealing {i}: the dealer is not a participant (no trustee key)")
    if len(dealing.commitments) != parameters.threshold:
        raise MalformedInput(
            f"dealing {i}: {len(dealing.commitments)} commitments, t = {parameters.threshold}"
        )
    reject_identity(f"dealing {i}: commitment", *dealing.commitments)
    verify_schnorr(
        dealing.proof,
        public=dealing.commitments[0],
        context=commitment_context(parameters, i, dealing.commitments),
    )
    if [s.recipient for s in dealing.shares] != [j for j in members if j != i]:
        raise MalformedInput(f"dealing {i}: not exactly one share for each other participant")
    for share in dealing.shares:
        verify_encrypted_share(share, parameters, dealer=i)


def verify_encrypted_share(
    share: EncryptedShare, parameters: ThresholdParameters, *, dealer: int
) -> None:
    """Spec §7.3 R must not be the identity and its proof of knowledge must verify.

    Raises:
        InvalidProof: R is the identity or the proof does not verify.
    """
    try:
        verify_schnorr(
            share.proof,
            public=share.ephemeral_key,
            context=ephemeral_context(parameters, dealer, share.recipient, share.ciphertext),
        )
    except InvalidProof as exc:
        raise InvalidProof(f"dealing {dealer}, share for {share.recipient}: {exc}") from None


def open_share(
    parameters: ThresholdParameters, recipient: TrusteeKeyPair, dealing: Dealing
) -> Scalar:
    """Spec §7.4 Recipient j decrypts s_ij and checks g^s_ij = Π_k C_ik^(j^k).

    Call ``verify_dealing`` first: a dealing that fails it disqualifies the dealer publicly,
    and its recipients must not complain (a complaint reveals S, §7.4).

    Raises:
        MalformedInput: the dealing holds no share for this recipient.
        InvalidProof: the share's proof of knowledge of r does not verify (do not complain).
        InvalidShare: the box does not open, holds no scalar, or the share does not match the
            commitments (complain, §7.4).
    """
    j = recipient.trustee
    share = dealing.share_for(j)
    verify_encrypted_share(share, parameters, dealer=dealing.dealer)
    # Step 1: S = R^e_j, K, open the box.
    shared_secret = share.ephemeral_key**recipient.secret
    key = box_key(
        parameters,
        dealer=dealing.dealer,
        recipient=j,
        ephemeral_key=share.ephemeral_key,
        encryption_key=recipient.public.encryption_key,
        shared_secret=shared_secret,
    )
    value = open_box(key, share.ciphertext)
    # Step 2: the share must lie on the committed polynomial.
    check_share(value, dealing, j)
    return value


def check_share(value: Scalar, dealing: Dealing, recipient: int) -> None:
    """Spec §7.4 g^s_ij = Π_k C_ik^(j^k).

    Raises:
        InvalidShare: the share does not match the commitments.
    """
    if g_pow(value) != evaluate_commitments(dealing.commitments, recipient):
        raise InvalidShare(
            f"share from dealer {dealing.dealer} to {recipient} does not match the commitments"
        )
