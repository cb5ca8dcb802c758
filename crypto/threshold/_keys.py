"""Spec §7.1 Trustee encryption keys in the election group, with a proof of knowledge."""

from __future__ import annotations

from dataclasses import dataclass, field

from crypto import canonical
from crypto.errors import MalformedInput
from crypto.group import Point, Scalar, g_pow
from crypto.hashing import Dst
from crypto.proofs.schnorr import SchnorrProof, unsafe_prove_schnorr, verify_schnorr
from crypto.threshold._parameters import (
    ThresholdParameters,
    index_bytes,
    label_context,
    parse_index,
)
from crypto.wire import expect_object


@dataclass(frozen=True, slots=True)
class TrusteePublicKey:
    """Spec §7.1 Trustee i's encryption key E_i = g^e_i with a Schnorr proof of knowledge of e_i.

    Wire form: ``{"trustee": i, "encryption_key": E_i, "proof": {"challenge", "response"}}``.
    """

    trustee: int
    encryption_key: Point
    proof: SchnorrProof

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "trustee": self.trustee,
            "encryption_key": self.encryption_key.to_hex(),
            "proof": dict(self.proof.to_json()),
        }

    @classmethod
    def from_json(cls, value: object) -> TrusteePublicKey:
        """Spec §7.1 Parse a trustee public key strictly.

        Raises:
            MalformedInput: fields missing or unknown, index not in 1..255, bad point or scalar.
        """
        obj = expect_object(value, "trustee key", required={"trustee", "encryption_key", "proof"})
        return cls(
            trustee=parse_index(obj["trustee"], "trustee key: trustee"),
            encryption_key=Point.from_hex(obj["encryption_key"]),
            proof=SchnorrProof.from_json(obj["proof"], "trustee key: proof"),
        )


@dataclass(frozen=True, slots=True, eq=False)
class TrusteeKeyPair:
    """Spec §7.1 Trustee i's encryption key pair (e_i, E_i). The secret is never shown in repr.

    Seal ``export_secret()`` (§7.1 secrets at rest) before it touches a disk.
    """

    trustee: int
    secret: Scalar = field(repr=False)
    public: TrusteePublicKey

    def export_secret(self) -> bytes:
        """Spec §7.1 The canonical JSON ``{"public": key, "secret": e_i}``: seal it at once."""
        return canonical.encode({"public": self.public.to_json(), "secret": self.secret.to_hex()})

    @classmethod
    def import_secret(cls, data: bytes) -> TrusteeKeyPair:
        """Spec §7.1 Rebuild the key pair from ``export_secret()`` bytes.

        Raises:
            MalformedInput: not the canonical JSON of a key pair, or g^e_i != E_i.
        """
        obj = expect_object(canonical.decode(data), "trustee secret", required={"public", "secret"})
        public = TrusteePublicKey.from_json(obj["public"])
        secret = Scalar.from_hex(obj["secret"])
        if g_pow(secret) != public.encryption_key:
            raise MalformedInput("trustee secret: the secret does not match the public key")
        return cls(public.trustee, secret, public)


def trustee_key_context(parameters: ThresholdParameters, trustee: int) -> bytes:
    """Spec §7.1 ctx = encode_parts("verivote-1/dkg/trustee-key", κ, I2OSP(i, 4))."""
    return label_context(Dst.DKG_TRUSTEE_KEY, parameters, index_bytes(trustee))


def generate_trustee_key(parameters: ThresholdParameters, trustee: int) -> TrusteeKeyPair:
    """Spec §7.1 Draw trustee ``trustee``'s encryption key pair and prove knowledge of it.

    Raises:
        MalformedInput: ``trustee`` is not in 1..n_T.
    """
    return unsafe_generate_trustee_key(
        parameters, trustee, secret=Scalar.random(), nonce=Scalar.random()
    )


def unsafe_generate_trustee_key(
    parameters: ThresholdParameters, trustee: int, *, secret: Scalar, nonce: Scalar
) -> TrusteeKeyPair:
    """Spec §7.1 The deterministic core of ``generate_trustee_key``. Never reuse a nonce.

    Raises:
        MalformedInput: ``trustee`` is not in 1..n_T, or ``secret`` is zero.
    """
    parameters.check_index(trustee, "trustee key")
    if not secret:
        raise MalformedInput("trustee key: zero secret key")
    encryption_key = g_pow(secret)
    proof = unsafe_prove_schnorr(
        secret,
        public=encryption_key,
        context=trustee_key_context(parameters, trustee),
        nonce=nonce,
    )
    return TrusteeKeyPair(trustee, secret, TrusteePublicKey(trustee, encryption_key, proof))


def verify_trustee_key(key: TrusteePublicKey, parameters: ThresholdParameters) -> None:
    """Spec §7.1 Check a trustee's key: index in 1..n_T, E_i not the identity, proof valid.

    Raises:
        MalformedInput: the index is not in 1..n_T.
        InvalidProof: E_i is the identity or the proof of knowledge does not verify.
    """
    parameters.check_index(key.trustee, "trustee key")
    verify_schnorr(
        key.proof,
        public=key.encryption_key,
        context=trustee_key_context(parameters, key.trustee),
    )
