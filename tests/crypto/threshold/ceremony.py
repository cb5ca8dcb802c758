"""Test helpers: run a whole §7 key ceremony, honestly or with chosen cheaters."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import nacl.secret

from crypto.errors import InvalidShare
from crypto.group import Scalar, g_pow
from crypto.hashing import hash_to_scalar
from crypto.proofs.schnorr import unsafe_prove_schnorr
from crypto.threshold import (
    CeremonyResult,
    Complaint,
    DealerSecret,
    Dealing,
    EncryptedShare,
    KeyShare,
    ThresholdParameters,
    TrusteeKeyPair,
    TrusteePublicKey,
    complain,
    deal,
    derive_key_share,
    generate_trustee_key,
    open_share,
    unsafe_deal,
    unsafe_generate_trustee_key,
    verify_ceremony,
)
from crypto.threshold._dealing import box_key, ephemeral_context

FINGERPRINT = bytes(range(32))


def seeded_scalar(*labels: object) -> Scalar:
    """A fixed, reproducible non-zero scalar for known-answer tests."""
    value = hash_to_scalar(b"verivote-test/seed", *(str(label).encode() for label in labels))
    return value if value else Scalar(1)


@dataclass
class Ceremony:
    parameters: ThresholdParameters
    key_pairs: list[TrusteeKeyPair]
    dealer_secrets: list[DealerSecret]
    dealings: list[Dealing]
    complaints: list[Complaint]
    result: CeremonyResult
    key_shares: dict[int, KeyShare]

    @property
    def public_keys(self) -> list[TrusteePublicKey]:
        return [k.public for k in self.key_pairs]


DealingTamper = Callable[[ThresholdParameters, Dealing, Sequence[TrusteePublicKey]], Dealing]


def run_ceremony(
    parameters: ThresholdParameters, tamper: dict[int, DealingTamper] | None = None
) -> Ceremony:
    """Every trustee follows §7 except the dealers in ``tamper``, whose dealing is altered."""
    tamper = tamper or {}
    key_pairs = [generate_trustee_key(parameters, i) for i in parameters.indices]
    publics = [k.public for k in key_pairs]
    secrets_, dealings = [], []
    for i in parameters.indices:
        secret, dealing = deal(parameters, i, publics)
        if i in tamper:
            dealing = tamper[i](parameters, dealing, publics)
        secrets_.append(secret)
        dealings.append(dealing)
    received: dict[int, dict[int, Scalar]] = {j: {} for j in parameters.indices}
    complaints = []
    for key_pair in key_pairs:
        for dealing in dealings:
            if dealing.dealer == key_pair.trustee:
                continue
            try:
                received[key_pair.trustee][dealing.dealer] = open_share(
                    parameters, key_pair, dealing
                )
            except InvalidShare:
                complaints.append(complain(parameters, key_pair, dealing))
    result = verify_ceremony(parameters, publics, dealings, complaints)
    shares = {s.dealer: derive_key_share(s, received[s.dealer], result.joint_key) for s in secrets_}
    return Ceremony(parameters, key_pairs, secrets_, dealings, complaints, result, shares)


def forge_share(
    parameters: ThresholdParameters,
    dealer: int,
    recipient: TrusteePublicKey,
    *,
    plaintext: bytes | None = None,
    ciphertext: bytes | None = None,
    ephemeral: Scalar | None = None,
) -> EncryptedShare:
    """A share a cheating dealer could send: a box of any plaintext (or any bytes), with a valid
    proof of knowledge of r, so that only a complaint can expose it."""
    r = ephemeral or Scalar.random()
    j = recipient.trustee
    ephemeral_key = g_pow(r)
    if ciphertext is None:
        key = box_key(
            parameters,
            dealer=dealer,
            recipient=j,
            ephemeral_key=ephemeral_key,
            encryption_key=recipient.encryption_key,
            shared_secret=recipient.encryption_key**r,
        )
        assert plaintext is not None
        ciphertext = nacl.secret.SecretBox(key).encrypt(plaintext, bytes(24)).ciphertext
    proof = unsafe_prove_schnorr(
        r,
        public=ephemeral_key,
        context=ephemeral_context(parameters, dealer, j, ciphertext),
        nonce=Scalar.random(),
    )
    return EncryptedShare(j, ephemeral_key, proof, bytes(ciphertext))


def replace_share(dealing: Dealing, share: EncryptedShare) -> Dealing:
    shares = tuple(share if s.recipient == share.recipient else s for s in dealing.shares)
    return Dealing(dealing.dealer, dealing.commitments, dealing.proof, shares)


def wrong_share_to(recipient: int) -> DealingTamper:
    """The dealer sends ``recipient`` a well-formed box holding a share off its polynomial."""

    def tamper(p: ThresholdParameters, d: Dealing, keys: Sequence[TrusteePublicKey]) -> Dealing:
        bogus = Scalar(12345).to_bytes()
        return replace_share(d, forge_share(p, d.dealer, keys[recipient - 1], plaintext=bogus))

    return tamper


def garbage_box_to(recipient: int) -> DealingTamper:
    """The dealer sends ``recipient`` a box that opens under no key it can derive."""

    def tamper(p: ThresholdParameters, d: Dealing, keys: Sequence[TrusteePublicKey]) -> Dealing:
        return replace_share(
            d, forge_share(p, d.dealer, keys[recipient - 1], ciphertext=bytes(range(48)))
        )

    return tamper


def deterministic_ceremony(parameters: ThresholdParameters, seed: str = "ceremony") -> Ceremony:
    """An honest ceremony with every random value taken from ``seeded_scalar(seed, ...)``."""
    key_pairs = [
        unsafe_generate_trustee_key(
            parameters,
            i,
            secret=seeded_scalar(seed, "e", i),
            nonce=seeded_scalar(seed, "e-nonce", i),
        )
        for i in parameters.indices
    ]
    publics = [k.public for k in key_pairs]
    secrets_, dealings = [], []
    for i in parameters.indices:
        secret, dealing = unsafe_deal(
            parameters,
            i,
            publics,
            coefficients=[seeded_scalar(seed, "a", i, k) for k in range(parameters.threshold)],
            nonce=seeded_scalar(seed, "a-nonce", i),
            ephemerals={
                j: (seeded_scalar(seed, "r", i, j), seeded_scalar(seed, "r-nonce", i, j))
                for j in parameters.indices
                if j != i
            },
        )
        secrets_.append(secret)
        dealings.append(dealing)
    result = verify_ceremony(parameters, publics, dealings, [])
    shares = {}
    for secret in secrets_:
        j = secret.dealer
        received = {
            d.dealer: open_share(parameters, key_pairs[j - 1], d) for d in dealings if d.dealer != j
        }
        shares[j] = derive_key_share(secret, received, result.joint_key)
    return Ceremony(parameters, key_pairs, secrets_, dealings, [], result, shares)
