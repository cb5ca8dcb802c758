"""Spec §7.4 Complaints: a cheating dealer is named, a false complaint names its maker, a
complaint with a bad DLEQ proof is void; and §7.3 the ephemeral-key proof that makes it safe."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from crypto.errors import (
    CeremonyFailed,
    InvalidProof,
    InvalidShare,
    MalformedInput,
)
from crypto.group import G, Scalar, g_pow
from crypto.proofs.chaum_pedersen import DleqProof, unsafe_prove_dleq
from crypto.threshold import (
    Complaint,
    Dealing,
    EncryptedShare,
    Ruling,
    ThresholdParameters,
    TrusteePublicKey,
    Verdict,
    adjudicate_complaint,
    complain,
    open_share,
    partial_decrypt,
    threshold_decrypt,
    unsafe_complain,
    verify_ceremony,
    verify_dealing,
)
from crypto.threshold._complaints import complaint_context
from crypto.threshold._dealing import box_key, open_box
from tests.crypto.threshold.ceremony import (
    FINGERPRINT,
    Ceremony,
    DealingTamper,
    forge_share,
    garbage_box_to,
    replace_share,
    run_ceremony,
    wrong_share_to,
)

PARAMETERS = ThresholdParameters(FINGERPRINT, 5, 3)


def _adjudicate(ceremony: Ceremony, complaint: Complaint) -> Verdict:
    return adjudicate_complaint(
        complaint,
        parameters=ceremony.parameters,
        dealing=ceremony.dealings[complaint.dealer - 1],
        complainant_key=ceremony.public_keys[complaint.complainant - 1],
    )


@pytest.mark.parametrize(
    ("name", "tamper"),
    [("bad-share", wrong_share_to(4)), ("undecryptable-box", garbage_box_to(4))],
)
def test_cheating_dealer_is_named_and_left_out(name: str, tamper: DealingTamper) -> None:
    ceremony = run_ceremony(PARAMETERS, tamper={2: tamper})
    # Trustee 4 complained, and only trustee 4.
    assert [(c.dealer, c.complainant) for c in ceremony.complaints] == [(2, 4)]
    verdict = _adjudicate(ceremony, ceremony.complaints[0])
    assert verdict.ruling is Ruling.DEALER_AT_FAULT
    assert verdict.at_fault == 2
    result = ceremony.result
    assert result.joint_key.qualified == (1, 3, 4, 5)
    assert [d.dealer for d in result.disqualified] == [2]
    assert result.verdicts == (verdict,)
    # The key still works for any t trustees, the cheater included (its x_2 sums Q's shares).
    joint = result.joint_key
    r = Scalar(99)
    alpha, beta = g_pow(r), g_pow(Scalar(3)) * joint.public_key**r
    for trio in [(1, 2, 3), (2, 4, 5), (3, 4, 5)]:
        partials = [partial_decrypt(ceremony.key_shares[j], alpha, context=b"c") for j in trio]
        assert threshold_decrypt(alpha, beta, partials, joint_key=joint, context=b"c") == g_pow(
            Scalar(3)
        )


def test_share_that_is_not_a_scalar_names_the_dealer() -> None:
    def tamper(p: ThresholdParameters, d: Dealing, keys: Sequence[TrusteePublicKey]) -> Dealing:
        return replace_share(d, forge_share(p, d.dealer, keys[0], plaintext=b"\xff" * 32))

    ceremony = run_ceremony(PARAMETERS, tamper={3: tamper})
    [complaint] = ceremony.complaints
    verdict = _adjudicate(ceremony, complaint)
    assert (verdict.ruling, verdict.at_fault) == (Ruling.DEALER_AT_FAULT, 3)
    assert "scalar" in verdict.reason


def test_false_complaint_names_the_complainant() -> None:
    ceremony = run_ceremony(PARAMETERS)
    liar = ceremony.key_pairs[3]  # trustee 4 complains about the valid share from dealer 1
    complaint = complain(PARAMETERS, liar, ceremony.dealings[0])
    verdict = _adjudicate(ceremony, complaint)
    assert (verdict.ruling, verdict.at_fault) == (Ruling.FALSE_COMPLAINT, 4)
    result = verify_ceremony(PARAMETERS, ceremony.public_keys, ceremony.dealings, [complaint])
    assert result.joint_key.qualified == (1, 2, 3, 4, 5)
    assert result.verdicts == (verdict,)
    assert result.joint_key == ceremony.result.joint_key


def test_complaint_with_a_bad_dleq_is_void() -> None:
    ceremony = run_ceremony(PARAMETERS, tamper={2: wrong_share_to(4)})
    honest = ceremony.complaints[0]
    void = {
        "response-plus-1": Complaint(
            2,
            4,
            honest.shared_secret,
            DleqProof(honest.proof.challenge, honest.proof.response + Scalar(1)),
        ),
        "other-shared-secret": Complaint(2, 4, honest.shared_secret * G, honest.proof),
        "identity-shared-secret": Complaint(2, 4, g_pow(Scalar(0)), honest.proof),
        # trustee 5 cannot complain with trustee 4's S and proof
        "other-complainant": Complaint(2, 5, honest.shared_secret, honest.proof),
    }
    for name, complaint in void.items():
        verdict = _adjudicate(ceremony, complaint)
        assert verdict.ruling is Ruling.VOID_COMPLAINT, name
        assert verdict.at_fault == complaint.complainant, name
    # A void complaint does not disqualify the dealer.
    result = verify_ceremony(
        PARAMETERS, ceremony.public_keys, ceremony.dealings, [void["response-plus-1"]]
    )
    assert 2 in result.joint_key.qualified


def test_complaint_for_another_election_is_void() -> None:
    ceremony = run_ceremony(PARAMETERS, tamper={2: wrong_share_to(4)})
    honest = ceremony.complaints[0]
    trustee = ceremony.key_pairs[3]
    r_key = ceremony.dealings[1].share_for(4).ephemeral_key
    for name, parameters, i, j in [
        ("other-election", ThresholdParameters(bytes(32), 5, 3), 2, 4),
        ("other-threshold", ThresholdParameters(FINGERPRINT, 5, 2), 2, 4),
        ("other-dealer-index", PARAMETERS, 3, 4),
        ("other-complainant-index", PARAMETERS, 2, 5),
    ]:
        proof = unsafe_prove_dleq(
            trustee.secret,
            g1=G,
            h1=trustee.public.encryption_key,
            g2=r_key,
            h2=honest.shared_secret,
            context=complaint_context(parameters, i, j),
            nonce=Scalar(5),
        )
        complaint = Complaint(2, 4, honest.shared_secret, proof)
        assert _adjudicate(ceremony, complaint).ruling is Ruling.VOID_COMPLAINT, name
    # The same construction with the right context is the honest complaint's twin.
    same = unsafe_complain(PARAMETERS, trustee, ceremony.dealings[1], nonce=Scalar(5))
    assert _adjudicate(ceremony, same).ruling is Ruling.DEALER_AT_FAULT


def test_adjudication_refuses_mismatched_inputs() -> None:
    ceremony = run_ceremony(PARAMETERS, tamper={2: wrong_share_to(4)})
    complaint = ceremony.complaints[0]
    with pytest.raises(
        MalformedInput, match="complaint 2->4: given the dealing of 1 and the key of 4"
    ):
        adjudicate_complaint(
            complaint,
            parameters=PARAMETERS,
            dealing=ceremony.dealings[0],
            complainant_key=ceremony.public_keys[3],
        )
    with pytest.raises(
        MalformedInput, match="complaint 2->4: given the dealing of 2 and the key of 3"
    ):
        adjudicate_complaint(
            complaint,
            parameters=PARAMETERS,
            dealing=ceremony.dealings[1],
            complainant_key=ceremony.public_keys[2],
        )


def test_copied_ephemeral_key_cannot_be_used_to_leak_an_honest_share() -> None:
    # Dealer 3 copies honest dealer 1's ephemeral key R for trustee 4 into its own share for 4,
    # with a garbage box. Without the §7.3 proof of knowledge of r, 4's complaint would reveal
    # S = R^e_4, which opens dealer 1's box. With it, dealer 3's dealing is publicly invalid...
    ceremony = run_ceremony(PARAMETERS)
    honest = ceremony.dealings[0].share_for(4)
    cheat = ceremony.dealings[2]
    stolen = EncryptedShare(4, honest.ephemeral_key, honest.proof, bytes(48))
    forged = replace_share(cheat, stolen)
    share_proof = "dealing 3, share for 4: schnorr: challenge does not match the statement"
    with pytest.raises(InvalidProof, match=share_proof):
        verify_dealing(forged, PARAMETERS)
    # ...trustee 4 refuses to complain (revealing nothing)...
    with pytest.raises(InvalidProof, match=share_proof):
        complain(PARAMETERS, ceremony.key_pairs[3], forged)
    with pytest.raises(InvalidProof, match=share_proof):
        open_share(PARAMETERS, ceremony.key_pairs[3], forged)
    # ...and dealer 3 is out without any complaint.
    dealings = [*ceremony.dealings[:2], forged, *ceremony.dealings[3:]]
    result = verify_ceremony(PARAMETERS, ceremony.public_keys, dealings, [])
    assert result.joint_key.qualified == (1, 2, 4, 5)
    assert [d.dealer for d in result.disqualified] == [3]
    # The attack it prevents is real: S for dealer 1's R opens dealer 1's box.
    s = honest.ephemeral_key ** ceremony.key_pairs[3].secret
    key = box_key(
        PARAMETERS,
        dealer=1,
        recipient=4,
        ephemeral_key=honest.ephemeral_key,
        encryption_key=ceremony.public_keys[3].encryption_key,
        shared_secret=s,
    )
    assert open_box(key, honest.ciphertext) == ceremony.dealer_secrets[0].share_for(4)


def test_open_share_raises_invalid_share_for_a_cheat() -> None:
    ceremony = run_ceremony(PARAMETERS, tamper={1: garbage_box_to(2)})
    with pytest.raises(InvalidShare, match="the share's box does not open"):
        open_share(PARAMETERS, ceremony.key_pairs[1], ceremony.dealings[0])


def test_too_many_cheaters_fail_the_ceremony() -> None:
    parameters = ThresholdParameters(FINGERPRINT, 3, 2)
    with pytest.raises(CeremonyFailed, match=r"only 1 qualified dealer\(s\), t = 2 needed"):
        run_ceremony(parameters, tamper={1: wrong_share_to(2), 3: garbage_box_to(1)})


def test_missing_and_invalid_dealings_disqualify() -> None:
    ceremony = run_ceremony(PARAMETERS)
    d = ceremony.dealings[4]
    broken = Dealing(d.dealer, d.commitments[:-1], d.proof, d.shares)
    result = verify_ceremony(
        PARAMETERS, ceremony.public_keys, [*ceremony.dealings[1:4], broken], []
    )
    assert result.joint_key.qualified == (2, 3, 4)
    assert {x.dealer: x.reason.split(":")[0] for x in result.disqualified} == {
        1: "no dealing",
        5: "invalid dealing",
    }
    with pytest.raises(MalformedInput, match="two dealings from dealer 1"):
        verify_ceremony(PARAMETERS, ceremony.public_keys, ceremony.dealings * 2, [])


def test_invalid_trustee_key_fails_the_ceremony() -> None:
    ceremony = run_ceremony(PARAMETERS)
    keys = ceremony.public_keys
    bad = type(keys[0])(1, keys[1].encryption_key, keys[0].proof)
    with pytest.raises(CeremonyFailed, match="trustee key 1 is invalid: schnorr: challenge"):
        verify_ceremony(PARAMETERS, [bad, *keys[1:]], ceremony.dealings, [])


def test_complaints_against_an_already_disqualified_dealer_are_not_adjudicated() -> None:
    ceremony = run_ceremony(PARAMETERS, tamper={2: wrong_share_to(4)})
    d = ceremony.dealings[1]
    broken = Dealing(d.dealer, d.commitments, d.proof, d.shares[:-1])  # and publicly invalid
    dealings = [ceremony.dealings[0], broken, *ceremony.dealings[2:]]
    result = verify_ceremony(PARAMETERS, ceremony.public_keys, dealings, ceremony.complaints)
    assert result.verdicts == ()
    assert [(x.dealer, x.reason.split(":")[0]) for x in result.disqualified] == [
        (2, "invalid dealing")
    ]
