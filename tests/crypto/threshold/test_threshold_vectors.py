"""Spec §7 known answers: RFC 9591's secp256k1 shares, and verivote's own ceremony vectors."""

from __future__ import annotations

import hashlib
import itertools

import nacl.secret
import pytest

from crypto.group import G, Point, Scalar, g_pow
from crypto.threshold import (
    Complaint,
    Dealing,
    JointKey,
    KeyConfirmation,
    PartialDecryption,
    ThresholdParameters,
    TrusteePublicKey,
    adjudicate_complaint,
    combine_decryption_shares,
    derive_interpolating_value,
    derive_key_share,
    threshold_decrypt,
    unsafe_complain,
    unsafe_confirm_key,
    unsafe_deal,
    unsafe_generate_trustee_key,
    unsafe_partial_decrypt,
    verify_ceremony,
    verify_key_confirmation,
    verify_partial_decryption,
    verify_trustee_key,
)
from crypto.threshold._dealing import DealerSecret, _encrypt_share
from crypto.threshold._parameters import evaluate_polynomial
from tests.vectors import VECTORS, hex_scalar, load

CEREMONIES = sorted(p.stem for p in (VECTORS / "threshold").glob("ceremony_*.json"))


def _oracle_hash(*parts: bytes) -> bytes:
    # Spec §3.1-§3.2 written out with hashlib, independently of crypto.hashing.
    return hashlib.sha256(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).digest()


def _parts(*parts: bytes) -> bytes:
    return b"".join(len(p).to_bytes(4, "big") + p for p in parts)


# RFC 9591 Appendix E.5 ------------------------------------------------------------------------
FROST = load("threshold/frost_secp256k1_sha256")
FROST_SHARES = {
    s["identifier"]: hex_scalar(s["participant_share"]) for s in FROST["participant_shares"]
}


@pytest.mark.parametrize("pair", list(itertools.combinations(FROST_SHARES, 2)))
def test_frost_lagrange_combination_gives_the_group_secret(pair: tuple[int, int]) -> None:
    secret = Scalar(0)
    for j in pair:
        secret = secret + derive_interpolating_value(j, pair) * FROST_SHARES[j]
    assert secret.to_hex() == FROST["group_secret_key"]


def test_frost_group_public_key_encoding() -> None:
    public = g_pow(hex_scalar(FROST["group_secret_key"]))
    assert public.to_hex() == FROST["group_public_key"]
    assert Point.from_hex(FROST["group_public_key"]) == public


def test_frost_shares_lie_on_the_polynomial() -> None:
    coefficients = [hex_scalar(FROST["group_secret_key"])] + [
        hex_scalar(a) for a in FROST["share_polynomial_coefficients"]
    ]
    for j, share in FROST_SHARES.items():
        assert evaluate_polynomial(coefficients, j) == share


@pytest.mark.parametrize("pair", list(itertools.combinations(FROST_SHARES, 2)))
def test_frost_public_shares_combine_in_the_exponent(pair: tuple[int, int]) -> None:
    # §7.7 on points: with alpha = g, D_j = g^s_j, the combination is the group public key.
    combined = combine_decryption_shares({j: g_pow(FROST_SHARES[j]) for j in pair})
    assert combined.to_hex() == FROST["group_public_key"]


def test_frost_single_share_is_not_the_secret() -> None:
    for j, share in FROST_SHARES.items():
        lone = derive_interpolating_value(j, [j]) * share
        assert lone.to_hex() != FROST["group_secret_key"]


# Own ceremony vectors -------------------------------------------------------------------------
def test_there_are_ceremony_vectors() -> None:
    assert len(CEREMONIES) >= 2


@pytest.mark.parametrize("name", CEREMONIES)
def test_ceremony_vector(name: str) -> None:
    v = load(f"threshold/{name}")
    p = v["parameters"]
    fingerprint = bytes.fromhex(p["fingerprint"])
    params = ThresholdParameters(fingerprint, p["trustees"], p["threshold"])
    n, t = params.trustees, params.threshold
    kappa = _parts(fingerprint, n.to_bytes(4, "big"), t.to_bytes(4, "big"))
    assert params.context.hex() == p["context"] == kappa.hex()

    # §7.1 trustee keys.
    pairs = []
    for rec in v["trustees"]:
        i = rec["index"]
        pair = unsafe_generate_trustee_key(
            params, i, secret=hex_scalar(rec["secret"]), nonce=hex_scalar(rec["proof_nonce"])
        )
        assert pair.public.to_json() == rec["message"]
        ctx = _parts(b"verivote-1/dkg/trustee-key", kappa, i.to_bytes(4, "big"))
        assert rec["proof_context"] == ctx.hex()
        # The proof's challenge, recomputed from the spec with hashlib (§6.2, §3.3 ctr = 0).
        a = g_pow(hex_scalar(rec["proof_nonce"]))
        digest = _oracle_hash(
            b"verivote-1/proof/schnorr",
            ctx,
            G.to_bytes(),
            pair.public.encryption_key.to_bytes(),
            a.to_bytes(),
            bytes(4),
        )
        assert pair.public.proof.challenge.to_bytes() == digest
        verify_trustee_key(TrusteePublicKey.from_json(rec["message"]), params)
        pairs.append(pair)
    publics = [k.public for k in pairs]

    # §7.2-§7.3 dealings, with every box key recomputed from the spec.
    dealings = []
    for rec in v["dealings"]:
        i = rec["dealer"]
        ephemerals = {
            s["recipient"]: (hex_scalar(s["ephemeral_secret"]), hex_scalar(s["proof_nonce"]))
            for s in rec["shares"]
        }
        secret, dealing = unsafe_deal(
            params,
            i,
            publics,
            coefficients=[hex_scalar(a) for a in rec["coefficients"]],
            nonce=hex_scalar(rec["proof_nonce"]),
            ephemerals=ephemerals,
        )
        if rec["tampered"]:
            j = rec["tampered"]["recipient"]
            forged = _encrypt_share(
                params,
                i,
                publics[j - 1],
                hex_scalar(rec["tampered"]["boxed_value"]),
                ephemeral=ephemerals[j][0],
                nonce=ephemerals[j][1],
            )
            dealing = Dealing(
                i,
                dealing.commitments,
                dealing.proof,
                tuple(forged if s.recipient == j else s for s in dealing.shares),
            )
        assert dealing.to_json() == rec["message"]
        assert Dealing.from_json(rec["message"]) == dealing
        assert secret.share_for(i).to_hex() == rec["own_share"]
        for srec, encrypted in zip(rec["shares"], dealing.shares, strict=True):
            j = srec["recipient"]
            assert secret.share_for(j).to_hex() == srec["share"]
            r = hex_scalar(srec["ephemeral_secret"])
            s_point = publics[j - 1].encryption_key ** r
            assert s_point == encrypted.ephemeral_key ** pairs[j - 1].secret
            assert s_point.to_hex() == srec["shared_secret"]
            key = _oracle_hash(
                b"verivote-1/dkg/share-box",
                kappa,
                i.to_bytes(4, "big"),
                j.to_bytes(4, "big"),
                encrypted.ephemeral_key.to_bytes(),
                publics[j - 1].encryption_key.to_bytes(),
                s_point.to_bytes(),
            )
            assert key.hex() == srec["box_key"]
            boxed = nacl.secret.SecretBox(key).decrypt(encrypted.ciphertext, bytes(24))
            expected = (
                rec["tampered"]["boxed_value"]
                if rec["tampered"] and rec["tampered"]["recipient"] == j
                else srec["share"]
            )
            assert boxed.hex() == expected
        dealings.append(dealing)

    # §7.4 complaints.
    complaints = []
    for rec in v["complaints"]:
        complaint = Complaint.from_json(rec["message"])
        again = unsafe_complain(
            params,
            pairs[complaint.complainant - 1],
            dealings[complaint.dealer - 1],
            nonce=hex_scalar(rec["proof_nonce"]),
        )
        assert again.to_json() == rec["message"]
        verdict = adjudicate_complaint(
            complaint,
            parameters=params,
            dealing=dealings[complaint.dealer - 1],
            complainant_key=publics[complaint.complainant - 1],
        )
        assert {"ruling": verdict.ruling.value, "at_fault": verdict.at_fault} == rec["verdict"]
        complaints.append(complaint)

    # §7.5 joint key and key shares.
    result = verify_ceremony(params, publics, dealings, complaints)
    joint = result.joint_key
    assert joint.to_json() == v["joint_key"]["message"]
    assert JointKey.from_json(v["joint_key"]["message"], params) == joint
    assert joint.public_key.to_hex() == v["joint_key"]["public_key"]
    assert [x.to_hex() for x in joint.verification_keys] == v["joint_key"]["verification_keys"]
    assert [d.dealer for d in result.disqualified] == v["joint_key"]["disqualified"]
    shares = {}
    for rec in v["key_shares"]:
        j = rec["trustee"]
        coefficients = next(d["coefficients"] for d in v["dealings"] if d["dealer"] == j)
        received = {int(i): hex_scalar(s) for i, s in rec["received"].items()}
        share = derive_key_share(
            DealerSecret(j, tuple(map(hex_scalar, coefficients))), received, joint
        )
        assert share.secret.to_hex() == rec["secret"]
        confirmation = unsafe_confirm_key(share, joint, nonce=hex_scalar(rec["confirmation_nonce"]))
        assert confirmation.to_json() == rec["confirmation"]
        verify_key_confirmation(KeyConfirmation.from_json(rec["confirmation"]), joint)
        shares[j] = share

    # §7.6-§7.7 decryption.
    d = v["decryption"]
    context = bytes.fromhex(d["context"])
    r = hex_scalar(d["randomness"])
    alpha, beta = g_pow(r), g_pow(Scalar(d["plaintext"])) * joint.public_key**r
    assert (alpha.to_hex(), beta.to_hex()) == (d["alpha"], d["beta"])
    partials = []
    for rec in d["partials"]:
        message = PartialDecryption.from_json(rec["message"])
        remade = unsafe_partial_decrypt(
            shares[message.trustee], alpha, context=context, nonce=hex_scalar(rec["nonce"])
        )
        assert remade.to_json() == rec["message"]
        verify_partial_decryption(
            message,
            alpha=alpha,
            verification_key=joint.verification_key(message.trustee),
            context=context,
        )
        partials.append(message)
    used = d["used"]
    assert used == sorted(p.trustee for p in partials)[:t]
    for j in used:
        assert derive_interpolating_value(j, used).to_hex() == d["lagrange"][str(j)]
    by_trustee = {p.trustee: p.decryption_share for p in partials}
    combined = combine_decryption_shares({j: by_trustee[j] for j in used})
    assert combined.to_hex() == d["combined"]
    plaintext = threshold_decrypt(alpha, beta, partials, joint_key=joint, context=context)
    assert plaintext.to_hex() == d["plaintext_element"] == g_pow(Scalar(d["plaintext"])).to_hex()
