"""Write the own known-answer vectors of spec §7: ``python -m tests.vectors.threshold.generate``.

Run once; the JSON files are checked in and tests/crypto/threshold/test_threshold_vectors.py
recomputes every value from the randomness recorded in them. Every random value comes from
``seed(...)``, a hash of a fixed label, so a rerun writes the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from crypto.group import Point, Scalar, g_pow
from crypto.hashing import hash_to_scalar
from crypto.threshold import (
    Dealing,
    ThresholdParameters,
    TrusteePublicKey,
    adjudicate_complaint,
    derive_interpolating_value,
    derive_key_share,
    open_share,
    unsafe_complain,
    unsafe_confirm_key,
    unsafe_deal,
    unsafe_generate_trustee_key,
    unsafe_partial_decrypt,
    verify_ceremony,
)
from crypto.threshold._ceremony import confirmation_context
from crypto.threshold._complaints import complaint_context
from crypto.threshold._dealing import _encrypt_share, box_key, commitment_context, ephemeral_context
from crypto.threshold._decryption import combine_decryption_shares, decryption_context
from crypto.threshold._keys import trustee_key_context

HERE = Path(__file__).resolve().parent


def seed(*labels: object) -> Scalar:
    value = hash_to_scalar(b"verivote-test/vector-seed", *(str(x).encode() for x in labels))
    assert value
    return value


def ceremony_vector(
    name: str,
    description: str,
    n: int,
    t: int,
    *,
    cheat: tuple[int, int] | None,
    decrypting: list[int],
) -> dict[str, Any]:
    """A whole ceremony; ``cheat = (dealer, recipient)`` sends recipient a share off by one."""
    fingerprint = hashlib.sha256(f"verivote-1 test vector: {name}".encode()).digest()
    params = ThresholdParameters(fingerprint, n, t)
    out: dict[str, Any] = {
        "source": "verivote tests/vectors/threshold/generate.py (own known-answer vector)",
        "description": description,
        "parameters": {
            "fingerprint": fingerprint.hex(),
            "trustees": n,
            "threshold": t,
            "context": params.context.hex(),
        },
    }
    # §7.1 trustee keys.
    key_pairs = []
    out["trustees"] = []
    for i in params.indices:
        e, w = seed(name, "e", i), seed(name, "e-nonce", i)
        pair = unsafe_generate_trustee_key(params, i, secret=e, nonce=w)
        key_pairs.append(pair)
        out["trustees"].append(
            {
                "index": i,
                "secret": e.to_hex(),
                "proof_nonce": w.to_hex(),
                "proof_context": trustee_key_context(params, i).hex(),
                "message": pair.public.to_json(),
            }
        )
    publics: list[TrusteePublicKey] = [k.public for k in key_pairs]
    # §7.2-§7.3 dealings.
    dealings: list[Dealing] = []
    dealer_secrets = []
    out["dealings"] = []
    for i in params.indices:
        coefficients = [seed(name, "a", i, k) for k in range(t)]
        nonce = seed(name, "a-nonce", i)
        ephemerals = {
            j: (seed(name, "r", i, j), seed(name, "r-nonce", i, j))
            for j in params.indices
            if j != i
        }
        secret, dealing = unsafe_deal(
            params, i, publics, coefficients=coefficients, nonce=nonce, ephemerals=ephemerals
        )
        tampered = None
        if cheat and cheat[0] == i:
            j = cheat[1]
            bad = secret.share_for(j) + Scalar(1)
            r, w = ephemerals[j]
            forged = _encrypt_share(params, i, publics[j - 1], bad, ephemeral=r, nonce=w)
            shares = tuple(forged if s.recipient == j else s for s in dealing.shares)
            dealing = Dealing(i, dealing.commitments, dealing.proof, shares)
            tampered = {"recipient": j, "boxed_value": bad.to_hex()}
        dealings.append(dealing)
        dealer_secrets.append(secret)
        share_records = []
        for boxed in dealing.shares:
            j = boxed.recipient
            r, w = ephemerals[j]
            shared = publics[j - 1].encryption_key ** r
            share_records.append(
                {
                    "recipient": j,
                    "share": secret.share_for(j).to_hex(),
                    "ephemeral_secret": r.to_hex(),
                    "proof_nonce": w.to_hex(),
                    "shared_secret": shared.to_hex(),
                    "box_key": box_key(
                        params,
                        dealer=i,
                        recipient=j,
                        ephemeral_key=boxed.ephemeral_key,
                        encryption_key=publics[j - 1].encryption_key,
                        shared_secret=shared,
                    ).hex(),
                    "proof_context": ephemeral_context(params, i, j, boxed.ciphertext).hex(),
                }
            )
        out["dealings"].append(
            {
                "dealer": i,
                "coefficients": [a.to_hex() for a in coefficients],
                "proof_nonce": nonce.to_hex(),
                "proof_context": commitment_context(params, i, dealing.commitments).hex(),
                "own_share": secret.share_for(i).to_hex(),
                "shares": share_records,
                "tampered": tampered,
                "message": dealing.to_json(),
            }
        )
    # §7.4 complaints.
    complaints = []
    out["complaints"] = []
    if cheat:
        dealer, j = cheat
        w = seed(name, "complaint-nonce", dealer, j)
        complaint = unsafe_complain(params, key_pairs[j - 1], dealings[dealer - 1], nonce=w)
        verdict = adjudicate_complaint(
            complaint,
            parameters=params,
            dealing=dealings[dealer - 1],
            complainant_key=publics[j - 1],
        )
        complaints.append(complaint)
        out["complaints"].append(
            {
                "proof_nonce": w.to_hex(),
                "proof_context": complaint_context(params, dealer, j).hex(),
                "message": complaint.to_json(),
                "verdict": {"ruling": verdict.ruling.value, "at_fault": verdict.at_fault},
            }
        )
    # §7.5 joint key, key shares, confirmations.
    result = verify_ceremony(params, publics, dealings, complaints)
    joint = result.joint_key
    out["joint_key"] = {
        "message": joint.to_json(),
        "public_key": joint.public_key.to_hex(),
        "verification_keys": [x.to_hex() for x in joint.verification_keys],
        "disqualified": [d.dealer for d in result.disqualified],
    }
    out["key_shares"] = []
    key_shares = {}
    for secret in dealer_secrets:
        j = secret.dealer
        received = {
            d.dealer: open_share(params, key_pairs[j - 1], d)
            for d in dealings
            if d.dealer != j and d.dealer in joint.qualified
        }
        share = derive_key_share(secret, received, joint)
        key_shares[j] = share
        w = seed(name, "confirmation-nonce", j)
        out["key_shares"].append(
            {
                "trustee": j,
                "received": {str(i): s.to_hex() for i, s in sorted(received.items())},
                "secret": share.secret.to_hex(),
                "confirmation_nonce": w.to_hex(),
                "confirmation_context": confirmation_context(params, j, joint.public_key).hex(),
                "confirmation": unsafe_confirm_key(share, joint, nonce=w).to_json(),
            }
        )
    # §7.6-§7.7 decryption of g^m under Y.
    m, r = 42, seed(name, "encryption-randomness")
    alpha, beta = g_pow(r), g_pow(Scalar(m)) * joint.public_key**r
    context = fingerprint + b"|test-vector-tally"
    partials = []
    by_trustee = {}
    for j in decrypting:
        w = seed(name, "decryption-nonce", j)
        partial = unsafe_partial_decrypt(key_shares[j], alpha, context=context, nonce=w)
        by_trustee[j] = partial.decryption_share
        partials.append(
            {
                "nonce": w.to_hex(),
                "proof_context": decryption_context(context, j).hex(),
                "message": partial.to_json(),
            }
        )
    used = sorted(decrypting)[:t]
    lagrange = {j: derive_interpolating_value(j, used) for j in used}
    shares_used: dict[int, Point] = {j: by_trustee[j] for j in used}
    combined = combine_decryption_shares(shares_used)
    out["decryption"] = {
        "context": context.hex(),
        "plaintext": m,
        "randomness": r.to_hex(),
        "alpha": alpha.to_hex(),
        "beta": beta.to_hex(),
        "partials": partials,
        "used": used,
        "lagrange": {str(j): v.to_hex() for j, v in lagrange.items()},
        "combined": combined.to_hex(),
        "plaintext_element": (beta / combined).to_hex(),
    }
    assert beta / combined == g_pow(Scalar(m))
    return out


VECTORS = {
    "ceremony_2_of_3_with_complaint.json": {
        "description": (
            "n = 3, t = 2. Dealer 3 boxes f_3(1) + 1 for trustee 1; trustee 1 complains, the "
            "complaint names dealer 3, Q = [1, 2]. Trustees 3 and 2 decrypt g^42: T = [2, 3] "
            "(the cheating dealer still holds a valid share of the joint key)."
        ),
        "n": 3,
        "t": 2,
        "cheat": (3, 1),
        "decrypting": [3, 2],
    },
    "ceremony_3_of_5.json": {
        "description": (
            "n = 5, t = 3, all honest. Trustees 5, 2, 4 and 3 publish partial decryptions of "
            "g^42; the t lowest indices T = [2, 3, 4] are combined."
        ),
        "n": 5,
        "t": 3,
        "cheat": None,
        "decrypting": [5, 2, 4, 3],
    },
}


def main() -> None:
    for filename, spec in VECTORS.items():
        vector = ceremony_vector(filename.removesuffix(".json"), **spec)  # type: ignore[arg-type]
        (HERE / filename).write_text(json.dumps(vector, indent=2) + "\n")
        print(f"wrote {filename}")


if __name__ == "__main__":
    main()
