"""Spec §7 Named mutations for every threshold message parser and proof.

Each case names one way a message can be wrong; the pipeline a verifier runs (strict parse,
then the §7 checks) must refuse it, for the reason the case names. Parse-level damage must give
MalformedInput; a well-formed but false message gives VerificationFailed (or MalformedInput when
an index is out of range).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from crypto.errors import MalformedInput, VerificationFailed, VerivoteError
from crypto.group import G, N, P, Point, Scalar, g_pow, lift_x
from crypto.hashing import Dst, hash_to_scalar
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.chaum_pedersen import unsafe_prove_dleq
from crypto.threshold import (
    Complaint,
    Dealing,
    EncryptedShare,
    JointKey,
    KeyConfirmation,
    PartialDecryption,
    Ruling,
    ThresholdParameters,
    TrusteePublicKey,
    adjudicate_complaint,
    unsafe_confirm_key,
    unsafe_partial_decrypt,
    verify_dealing,
    verify_key_confirmation,
    verify_partial_decryption,
    verify_trustee_key,
)
from crypto.threshold._complaints import complaint_context
from crypto.threshold._dealing import verify_encrypted_share
from tests.crypto.threshold.ceremony import (
    FINGERPRINT,
    deterministic_ceremony,
    run_ceremony,
    seeded_scalar,
    wrong_share_to,
)

PARAMS = ThresholdParameters(FINGERPRINT, 4, 3)
CER = deterministic_ceremony(PARAMS, seed="mutations")
JOINT = CER.result.joint_key
CONTEXT = FINGERPRINT + b"|tally"
ALPHA = g_pow(Scalar(1234567))
OTHER_ALPHA = g_pow(Scalar(7654321))
PARTIAL = unsafe_partial_decrypt(CER.key_shares[2], ALPHA, context=CONTEXT, nonce=Scalar(77))
PARTIAL_3 = unsafe_partial_decrypt(CER.key_shares[3], ALPHA, context=CONTEXT, nonce=Scalar(78))
CONFIRMATION = unsafe_confirm_key(CER.key_shares[2], JOINT, nonce=Scalar(79))
CHEAT = run_ceremony(PARAMS, tamper={2: wrong_share_to(4)})
[COMPLAINT] = CHEAT.complaints


# The pipelines a verifier runs -------------------------------------------------------------
def accept_trustee_key(value: object, params: ThresholdParameters = PARAMS) -> None:
    verify_trustee_key(TrusteePublicKey.from_json(value), params)


def accept_dealing(value: object, params: ThresholdParameters = PARAMS) -> None:
    verify_dealing(Dealing.from_json(value), params)


def accept_share(value: object, params: ThresholdParameters = PARAMS) -> None:
    verify_encrypted_share(EncryptedShare.from_json(value), params, dealer=1)


def accept_complaint(value: object, params: ThresholdParameters = PARAMS) -> None:
    complaint = Complaint.from_json(value)
    params.check_index(complaint.dealer, "complaint")
    params.check_index(complaint.complainant, "complaint")
    verdict = adjudicate_complaint(
        complaint,
        parameters=params,
        dealing=CHEAT.dealings[complaint.dealer - 1],
        complainant_key=CHEAT.public_keys[complaint.complainant - 1],
    )
    if verdict.ruling is not Ruling.DEALER_AT_FAULT:
        raise VerificationFailed(verdict.reason)


def accept_confirmation(value: object, joint: JointKey = JOINT) -> None:
    verify_key_confirmation(KeyConfirmation.from_json(value), joint)


def accept_partial(
    value: object, alpha: Point = ALPHA, trustee: int = 2, context: bytes = CONTEXT
) -> None:
    partial = PartialDecryption.from_json(value)
    JOINT.parameters.check_index(partial.trustee, "partial decryption")
    verify_partial_decryption(
        partial, alpha=alpha, verification_key=JOINT.verification_key(trustee), context=context
    )


def accept_joint_key(value: object) -> None:
    if JointKey.from_json(value, PARAMS) != JOINT:
        raise VerificationFailed("joint key differs from the one the transcript gives")


MESSAGES: dict[str, tuple[Callable[..., None], dict[str, Any]]] = {
    "trustee-key": (accept_trustee_key, CER.public_keys[0].to_json()),
    "dealing": (accept_dealing, CER.dealings[0].to_json()),
    "encrypted-share": (accept_share, CER.dealings[0].shares[0].to_json()),
    "complaint": (accept_complaint, COMPLAINT.to_json()),
    "key-confirmation": (accept_confirmation, CONFIRMATION.to_json()),
    "partial-decryption": (accept_partial, PARTIAL.to_json()),
    "joint-key": (accept_joint_key, JOINT.to_json()),
}

# Where each message keeps its points, scalars and trustee indices.
POINTS = {
    "trustee-key": [("encryption_key",)],
    "dealing": [("commitments", 0), ("commitments", 2), ("shares", 1, "ephemeral_key")],
    "encrypted-share": [("ephemeral_key",)],
    "complaint": [("shared_secret",)],
    "key-confirmation": [("public_key",), ("verification_key",)],
    "partial-decryption": [("decryption_share",)],
    "joint-key": [("commitments", 0), ("commitments", 1)],
}
SCALARS = {
    "trustee-key": [("proof", "response"), ("proof", "challenge")],
    "dealing": [("proof", "response"), ("shares", 0, "proof", "challenge")],
    "encrypted-share": [("proof", "response")],
    "complaint": [("proof", "response"), ("proof", "challenge")],
    "key-confirmation": [("proof", "response")],
    "partial-decryption": [("proof", "response"), ("proof", "challenge")],
    "joint-key": [],
}
INDICES = {
    "trustee-key": [("trustee",)],
    "dealing": [("dealer",), ("shares", 0, "recipient")],
    "encrypted-share": [("recipient",)],
    "complaint": [("dealer",), ("complainant",)],
    "key-confirmation": [("trustee",)],
    "partial-decryption": [("trustee",)],
    "joint-key": [("qualified", 0)],
}


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    out = copy.deepcopy(obj)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return out


def _uncompressed(point_hex: str) -> str:
    x = int(point_hex[2:], 16)
    y = pow(x**3 + 7, (P + 1) // 4, P)
    if y % 2 != int(point_hex[:2], 16) - 2:
        y = P - y
    return "04" + point_hex[2:] + f"{y:064x}"


def _off_curve() -> str:
    x = 5
    while True:
        try:
            lift_x(x.to_bytes(32, "big"))
        except MalformedInput:
            return "02" + f"{x:064x}"
        x += 1


# What refuses another valid point, and the identity, in each place: the message's own check.
_SCHNORR = "schnorr: challenge does not match the statement"
_SCHNORR_IDENTITY = "schnorr: statement contains the identity point"
POINT_REFUSALS = {
    "trustee-key/encryption_key": (_SCHNORR, _SCHNORR_IDENTITY),
    "dealing/commitments.0": (
        _SCHNORR,
        "dealing 1: commitment: statement contains the identity point",
    ),
    "dealing/commitments.2": (
        _SCHNORR,
        "dealing 1: commitment: statement contains the identity point",
    ),
    "dealing/shares.1.ephemeral_key": (
        f"dealing 1, share for 3: {_SCHNORR}",
        f"dealing 1, share for 3: {_SCHNORR_IDENTITY}",
    ),
    "encrypted-share/ephemeral_key": (
        f"dealing 1, share for 2: {_SCHNORR}",
        f"dealing 1, share for 2: {_SCHNORR_IDENTITY}",
    ),
    "complaint/shared_secret": (
        "complaint 2->4 is void: dleq: challenge does not match the statement",
        "complaint 2->4 is void: dleq: statement contains the identity point",
    ),
    "key-confirmation/public_key": (
        "key confirmation 2: confirms another joint public key",
        "key confirmation 2: confirms another joint public key",
    ),
    "key-confirmation/verification_key": (
        "key confirmation 2: another verification key than X_2",
        "key confirmation 2: another verification key than X_2",
    ),
    "partial-decryption/decryption_share": (
        "partial decryption by trustee 2: dleq: challenge does not match the statement",
        "partial decryption by trustee 2: dleq: statement contains the identity point",
    ),
    "joint-key/commitments.0": (
        "joint key differs from the one the transcript gives",
        "the joint public key is the identity",
    ),
    "joint-key/commitments.1": (
        "joint key differs from the one the transcript gives",
        "joint key differs from the one the transcript gives",
    ),
}
# What refuses a response or challenge plus 1: the proof it belongs to.
PROOF_REFUSALS = {
    "trustee-key": _SCHNORR,
    "dealing": _SCHNORR,
    "dealing/shares.0.proof.challenge": f"dealing 1, share for 2: {_SCHNORR}",
    "encrypted-share": f"dealing 1, share for 2: {_SCHNORR}",
    "complaint": "complaint 2->4 is void: dleq: challenge does not match the statement",
    "key-confirmation": _SCHNORR,
    "partial-decryption": (
        "partial decryption by trustee 2: dleq: challenge does not match the statement"
    ),
}
# What refuses trustee index n + 1: the range check, but where a message holds no n.
BEYOND_N_REFUSALS = {
    "dealing/shares.0.recipient": "dealing 1: shares not in increasing recipient order",
    "encrypted-share/recipient": f"dealing 1, share for 5: {_SCHNORR}",
    "key-confirmation/trustee": "joint key: trustee index 5 not in 1..4",
    "joint-key/qualified.0": r"qualified set \[5, 2, 3, 4\] not increasing",
}


def _point_mutations(h: str, where: str) -> dict[str, tuple[Any, type[Exception], str]]:
    other, identity = POINT_REFUSALS[where]
    return {
        "identity-point": ("00" * 33, VerivoteError, identity),
        "other-point": (
            G.to_hex() if h != G.to_hex() else g_pow(Scalar(2)).to_hex(),
            VerivoteError,
            other,
        ),
        "off-curve-point": (_off_curve(), MalformedInput, "point not on curve"),
        "uncompressed-encoding": (_uncompressed(h), MalformedInput, "66 hex digits, got 130"),
        "hybrid-encoding": ("06" + _uncompressed(h)[2:], MalformedInput, "66 hex digits, got 130"),
        "upper-case-hex": (h.upper(), MalformedInput, "point must be lower-case hex"),
        "truncated": (h[:-2], MalformedInput, "point must be 66 hex digits, got 64"),
        "trailing-bytes": (h + "00", MalformedInput, "point must be 66 hex digits, got 68"),
        "integer-instead-of-hex": (5, MalformedInput, "point must be a hex string, got int"),
    }


def _scalar_mutations(h: str, where: str) -> dict[str, tuple[Any, type[Exception], str]]:
    plus_one = (int(h, 16) + 1) % N
    proof = PROOF_REFUSALS.get(where) or PROOF_REFUSALS[where.split("/")[0]]
    return {
        "plus-1": (f"{plus_one:064x}", VerificationFailed, proof),
        "scalar-ge-n": (f"{N:064x}", MalformedInput, r"scalar out of range \[0, n\)"),
        "scalar-max": ("f" * 64, MalformedInput, r"scalar out of range \[0, n\)"),
        "truncated": (h[:-2], MalformedInput, "scalar must be 64 hex digits, got 62"),
        "trailing-bytes": (h + "00", MalformedInput, "scalar must be 64 hex digits, got 66"),
    }


def _index_mutations(i: Any, where: str) -> dict[str, tuple[Any, type[Exception], str]]:
    beyond_n = BEYOND_N_REFUSALS.get(where, "trustee index 5 not in 1..4")
    return {
        "zero": (0, MalformedInput, "must be >= 1, got 0"),
        "beyond-n": (PARAMS.trustees + 1, VerivoteError, beyond_n),
        "256": (256, MalformedInput, "must be <= 255, got 256"),
        "negative": (-1, MalformedInput, "must be >= 1, got -1"),
        "bool": (True, MalformedInput, "must be an integer, got bool"),
        "string": (str(i), MalformedInput, "must be an integer, got str"),
    }


Case = tuple[Callable[[], None], type[Exception], str]


def _generated_cases() -> dict[str, Case]:
    cases: dict[str, Case] = {}

    def add(name: str, accept: Callable[..., None], value: Any, *refusal: Any) -> None:
        expected, reason = refusal
        cases[name] = (lambda: accept(value), expected, reason)

    for kind, (accept, honest) in MESSAGES.items():
        mutations: tuple[tuple[Any, Callable[..., Any]], ...] = (
            (POINTS[kind], _point_mutations),
            (SCALARS[kind], _scalar_mutations),
            (INDICES[kind], _index_mutations),
        )
        for paths, mutate in mutations:
            for path in paths:
                where = f"{kind}/{'.'.join(map(str, path))}"
                for m, (bad, *refusal) in mutate(_get(honest, path), where).items():
                    add(f"{where}/{m}", accept, _set(honest, path, bad), *refusal)
        first = next(iter(honest))
        add(
            f"{kind}/missing-field",
            accept,
            {k: v for k, v in honest.items() if k != first},
            MalformedInput,
            rf"missing field\(s\) {first}$",
        )
        add(
            f"{kind}/unknown-field",
            accept,
            {**honest, "extra": 1},
            MalformedInput,
            r"unknown field\(s\) extra",
        )
        add(
            f"{kind}/not-an-object",
            accept,
            list(honest.values()),
            MalformedInput,
            "must be a JSON object, got list",
        )
    return cases


def _weak_schnorr(secret: Scalar) -> dict[str, str]:
    nonce = Scalar(5)
    c = hash_to_scalar(Dst.SCHNORR, g_pow(nonce).to_bytes())
    return ChallengeResponse(c, nonce + c * secret).to_json()


def _weak_dleq(secret: Scalar, g2: Point) -> dict[str, str]:
    nonce = Scalar(5)
    c = hash_to_scalar(Dst.DLEQ, g_pow(nonce).to_bytes(), (g2**nonce).to_bytes())
    return ChallengeResponse(c, nonce + c * secret).to_json()


def _complaint_proof(params: ThresholdParameters) -> dict[str, str]:
    trustee = CHEAT.key_pairs[3]
    return unsafe_prove_dleq(
        trustee.secret,
        g1=G,
        h1=trustee.public.encryption_key,
        g2=CHEAT.dealings[1].share_for(4).ephemeral_key,
        h2=COMPLAINT.shared_secret,
        context=complaint_context(params, 2, 4),
        nonce=Scalar(11),
    ).to_json()


def _other(params: ThresholdParameters) -> Callable[[Callable[..., None], Any], Callable[[], None]]:
    return lambda accept, value: lambda: accept(value, params)


OTHER_ELECTION = ThresholdParameters(bytes(32), 4, 3)
OTHER_N = ThresholdParameters(FINGERPRINT, 5, 3)
OTHER_T = ThresholdParameters(FINGERPRINT, 4, 2)
KEY, DEALING, SHARE = (
    MESSAGES["trustee-key"][1],
    MESSAGES["dealing"][1],
    MESSAGES["encrypted-share"][1],
)
COMPLAINT_JSON, PARTIAL_JSON = MESSAGES["complaint"][1], MESSAGES["partial-decryption"][1]
CONFIRMATION_JSON = MESSAGES["key-confirmation"][1]
JOINT_JSON: Any = JOINT.to_json()
_commitments = DEALING["commitments"]
_shares = DEALING["shares"]


def _specific_cases() -> dict[str, Case]:
    e1 = CER.key_pairs[0].secret
    a10 = CER.dealer_secrets[0].coefficients[0]
    r12 = seeded_scalar("mutations", "r", 1, 2)
    x2 = CER.key_shares[2].secret
    e4 = CHEAT.key_pairs[3].secret
    r24 = CHEAT.dealings[1].share_for(4).ephemeral_key
    other_joint = deterministic_ceremony(PARAMS, seed="other").result.joint_key
    return {
        # Context: the election, n, t and the trustee index are all bound into every proof.
        "trustee-key/wrong-election": (
            _other(OTHER_ELECTION)(accept_trustee_key, KEY),
            VerificationFailed,
            _SCHNORR,
        ),
        "trustee-key/wrong-n": (
            _other(OTHER_N)(accept_trustee_key, KEY),
            VerificationFailed,
            _SCHNORR,
        ),
        "trustee-key/wrong-t": (
            _other(OTHER_T)(accept_trustee_key, KEY),
            VerificationFailed,
            _SCHNORR,
        ),
        "trustee-key/wrong-trustee-index": (
            lambda: accept_trustee_key({**KEY, "trustee": 2}),
            VerificationFailed,
            _SCHNORR,
        ),
        "trustee-key/weak-fiat-shamir": (
            lambda: accept_trustee_key({**KEY, "proof": _weak_schnorr(e1)}),
            VerificationFailed,
            _SCHNORR,
        ),
        "dealing/wrong-election": (
            _other(OTHER_ELECTION)(accept_dealing, DEALING),
            VerificationFailed,
            _SCHNORR,
        ),
        "dealing/wrong-dealer-index": (
            lambda: accept_dealing(
                {**DEALING, "dealer": 2, "shares": [_shares[0] | {"recipient": 1}, *_shares[1:]]}
            ),
            VerificationFailed,
            _SCHNORR,
        ),
        "dealing/tampered-commitment": (
            lambda: accept_dealing(
                {**DEALING, "commitments": [_commitments[0], G.to_hex(), _commitments[2]]}
            ),
            VerificationFailed,
            _SCHNORR,
        ),
        "dealing/swapped-commitments": (
            lambda: accept_dealing(
                {**DEALING, "commitments": [_commitments[0], _commitments[2], _commitments[1]]}
            ),
            VerificationFailed,
            _SCHNORR,
        ),
        "dealing/too-few-commitments": (
            lambda: accept_dealing({**DEALING, "commitments": _commitments[:2]}),
            MalformedInput,
            "dealing 1: 2 commitments, t = 3",
        ),
        "dealing/too-many-commitments": (
            lambda: accept_dealing({**DEALING, "commitments": [*_commitments, G.to_hex()]}),
            MalformedInput,
            "dealing 1: 4 commitments, t = 3",
        ),
        "dealing/no-commitments": (
            lambda: accept_dealing({**DEALING, "commitments": []}),
            MalformedInput,
            "dealing 1: 0 commitments, t = 3",
        ),
        "dealing/weak-fiat-shamir": (
            lambda: accept_dealing({**DEALING, "proof": _weak_schnorr(a10)}),
            VerificationFailed,
            _SCHNORR,
        ),
        "dealing/missing-share": (
            lambda: accept_dealing({**DEALING, "shares": _shares[:-1]}),
            MalformedInput,
            "dealing 1: not exactly one share for each other participant",
        ),
        "dealing/duplicate-share": (
            lambda: accept_dealing({**DEALING, "shares": [_shares[0], *_shares]}),
            MalformedInput,
            "dealing 1: shares not in increasing recipient order",
        ),
        "dealing/unsorted-shares": (
            lambda: accept_dealing({**DEALING, "shares": [_shares[1], _shares[0], _shares[2]]}),
            MalformedInput,
            "dealing 1: shares not in increasing recipient order",
        ),
        "dealing/share-to-self": (
            lambda: accept_dealing(
                {**DEALING, "shares": [_shares[0] | {"recipient": 1}, *_shares[1:]]}
            ),
            MalformedInput,
            "dealing 1: share addressed to the dealer itself",
        ),
        "dealing/extra-share": (
            lambda: accept_dealing(
                {**DEALING, "shares": [*_shares, _shares[0] | {"recipient": 5}]}
            ),
            MalformedInput,
            "dealing 1: not exactly one share for each other participant",
        ),
        "encrypted-share/wrong-election": (
            _other(OTHER_ELECTION)(accept_share, SHARE),
            VerificationFailed,
            f"dealing 1, share for 2: {_SCHNORR}",
        ),
        "encrypted-share/wrong-recipient": (
            lambda: accept_share({**SHARE, "recipient": 3}),
            VerificationFailed,
            f"dealing 1, share for 3: {_SCHNORR}",
        ),
        "encrypted-share/tampered-ciphertext": (
            lambda: accept_share({**SHARE, "ciphertext": "00" * 48}),
            VerificationFailed,
            f"dealing 1, share for 2: {_SCHNORR}",
        ),
        "encrypted-share/truncated-ciphertext": (
            lambda: accept_share({**SHARE, "ciphertext": SHARE["ciphertext"][:-2]}),
            MalformedInput,
            "encrypted share must be 96 hex digits, got 94",
        ),
        "encrypted-share/trailing-ciphertext": (
            lambda: accept_share({**SHARE, "ciphertext": SHARE["ciphertext"] + "00"}),
            MalformedInput,
            "encrypted share must be 96 hex digits, got 98",
        ),
        "encrypted-share/weak-fiat-shamir": (
            lambda: accept_share({**SHARE, "proof": _weak_schnorr(r12)}),
            VerificationFailed,
            f"dealing 1, share for 2: {_SCHNORR}",
        ),
        "complaint/wrong-election": (
            lambda: accept_complaint({**COMPLAINT_JSON, "proof": _complaint_proof(OTHER_ELECTION)}),
            VerificationFailed,
            "complaint 2->4 is void: dleq: challenge does not match",
        ),
        "complaint/wrong-dealer": (
            lambda: accept_complaint({**COMPLAINT_JSON, "dealer": 1}),
            VerificationFailed,
            "complaint 1->4 is void: dleq: challenge does not match",
        ),
        "complaint/wrong-complainant": (
            lambda: accept_complaint({**COMPLAINT_JSON, "complainant": 3}),
            VerificationFailed,
            "complaint 2->3 is void: dleq: challenge does not match",
        ),
        "complaint/against-self": (
            lambda: accept_complaint({**COMPLAINT_JSON, "dealer": 4}),
            MalformedInput,
            "complaint: trustee 4 complains against itself",
        ),
        "complaint/weak-fiat-shamir": (
            lambda: accept_complaint({**COMPLAINT_JSON, "proof": _weak_dleq(e4, r24)}),
            VerificationFailed,
            "complaint 2->4 is void: dleq: challenge does not match",
        ),
        "key-confirmation/other-joint-key": (
            lambda: accept_confirmation(CONFIRMATION_JSON, other_joint),
            VerificationFailed,
            "key confirmation 2: confirms another joint public key",
        ),
        "key-confirmation/wrong-trustee-index": (
            lambda: accept_confirmation({**CONFIRMATION_JSON, "trustee": 3}),
            VerificationFailed,
            "key confirmation 3: another verification key than X_3",
        ),
        "key-confirmation/weak-fiat-shamir": (
            lambda: accept_confirmation({**CONFIRMATION_JSON, "proof": _weak_schnorr(x2)}),
            VerificationFailed,
            _SCHNORR,
        ),
        "partial-decryption/share-from-another-trustee": (
            lambda: accept_partial(PARTIAL_3.to_json()),
            VerificationFailed,
            "partial decryption by trustee 3: dleq: challenge does not match",
        ),
        "partial-decryption/relabelled-trustee": (
            lambda: accept_partial({**PARTIAL_3.to_json(), "trustee": 2}),
            VerificationFailed,
            "partial decryption by trustee 2: dleq: challenge does not match",
        ),
        "partial-decryption/other-trustees-share-value": (
            lambda: accept_partial(
                {**PARTIAL_JSON, "decryption_share": PARTIAL_3.decryption_share.to_hex()}
            ),
            VerificationFailed,
            "partial decryption by trustee 2: dleq: challenge does not match",
        ),
        "partial-decryption/share-for-another-ciphertext": (
            lambda: accept_partial(PARTIAL_JSON, alpha=OTHER_ALPHA),
            VerificationFailed,
            "partial decryption by trustee 2: dleq: challenge does not match",
        ),
        "partial-decryption/identity-alpha": (
            lambda: accept_partial(PARTIAL_JSON, alpha=g_pow(Scalar(0))),
            VerificationFailed,
            "partial decryption by trustee 2: dleq: statement contains the identity",
        ),
        "partial-decryption/wrong-context-election": (
            lambda: accept_partial(PARTIAL_JSON, context=bytes(32) + b"|tally"),
            VerificationFailed,
            "partial decryption by trustee 2: dleq: challenge does not match",
        ),
        "partial-decryption/wrong-context-tally": (
            lambda: accept_partial(PARTIAL_JSON, context=FINGERPRINT + b"|tallz"),
            VerificationFailed,
            "partial decryption by trustee 2: dleq: challenge does not match",
        ),
        "partial-decryption/wrong-trustee-index": (
            lambda: accept_partial({**PARTIAL_JSON, "trustee": 3}),
            VerificationFailed,
            "partial decryption by trustee 3: dleq: challenge does not match",
        ),
        "partial-decryption/weak-fiat-shamir": (
            lambda: accept_partial({**PARTIAL_JSON, "proof": _weak_dleq(x2, ALPHA)}),
            VerificationFailed,
            "partial decryption by trustee 2: dleq: challenge does not match",
        ),
        "joint-key/tampered-commitment": (
            lambda: accept_joint_key(
                {
                    **JOINT_JSON,
                    "commitments": [G.to_hex(), *JOINT_JSON["commitments"][1:]],
                }
            ),
            VerificationFailed,
            "joint key differs from the one the transcript gives",
        ),
        "joint-key/too-few-commitments": (
            lambda: accept_joint_key({**JOINT_JSON, "commitments": JOINT_JSON["commitments"][:2]}),
            MalformedInput,
            "joint key: need t = 3 commitments",
        ),
        "joint-key/unsorted-qualified": (
            lambda: accept_joint_key({**JOINT_JSON, "qualified": [2, 1, 3, 4]}),
            MalformedInput,
            r"qualified set \[2, 1, 3, 4\] not increasing",
        ),
        "joint-key/too-few-qualified": (
            lambda: accept_joint_key({**JOINT_JSON, "qualified": [1, 2]}),
            VerificationFailed,
            r"only 2 qualified dealer\(s\) \[1, 2\], t = 3 needed",
        ),
        "joint-key/identity-public-key": (
            lambda: accept_joint_key(
                {**JOINT_JSON, "commitments": ["00" * 33, *JOINT_JSON["commitments"][1:]]}
            ),
            VerificationFailed,
            "the joint public key is the identity",
        ),
    }


CASES = {**_generated_cases(), **_specific_cases()}


@pytest.mark.parametrize("kind", MESSAGES)
def test_happy_path(kind: str) -> None:
    accept, honest = MESSAGES[kind]
    accept(honest)


@pytest.mark.parametrize("kind", MESSAGES)
def test_wire_round_trip(kind: str) -> None:
    _, honest = MESSAGES[kind]
    parsers: dict[str, Callable[[Any], Any]] = {
        "trustee-key": TrusteePublicKey.from_json,
        "dealing": Dealing.from_json,
        "encrypted-share": EncryptedShare.from_json,
        "complaint": Complaint.from_json,
        "key-confirmation": KeyConfirmation.from_json,
        "partial-decryption": PartialDecryption.from_json,
        "joint-key": lambda v: JointKey.from_json(v, PARAMS),
    }
    assert parsers[kind](honest).to_json() == honest


@pytest.mark.parametrize("name", CASES)
def test_mutation_is_rejected(name: str) -> None:
    thunk, expected, reason = CASES[name]
    with pytest.raises(expected, match=reason):
        thunk()


def test_every_message_has_mutations_of_every_kind() -> None:
    for kind in MESSAGES:
        names = [n for n in CASES if n.startswith(kind + "/")]
        for mutation in ("identity-point", "off-curve-point", "uncompressed-encoding"):
            assert any(n.endswith("/" + mutation) for n in names), (kind, mutation)
        for mutation in ("truncated", "trailing-bytes", "missing-field", "unknown-field"):
            assert any(n.endswith("/" + mutation) for n in names), (kind, mutation)
