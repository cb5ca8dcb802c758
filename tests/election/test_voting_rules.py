"""Spec §11.8-§11.12 The election's rules from voting on: ballots in the window and only under
published credentials, ciphertexts never reused, audits, revotes, the tally, decryptions and
the result, each refusal with its stable code.

The checkpoints (``defined`` ... ``tallied``) are tests/election/conftest.py's."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from typing import Any

import pytest

from crypto.credentials import CredentialCode, derive_credential_key
from crypto.group import G, Scalar
from election.rules import Prechecked, Refusal, check, precheck
from election.voter import EncryptedBallot
from election.wire import (
    Ballot,
    ballot_paper,
)
from simulation.builder import Member
from tests.election.scenario import (
    DEFINITION,
    NOW,
    STRANGER,
    STYLE_ALL,
    STYLE_YOUTH,
    TRUSTEES,
    VOTING_CLOSE,
    VOTING_OPEN,
    Posted,
    Scenario,
    admin,
    refused,
    reprove,
    signed,
    stranger,
    trustee,
    voter,
)

# --- ballots ---------------------------------------------------------------------------------


def test_ballots_only_in_the_voting_window(ready: Scenario) -> None:
    s = ready.fork()
    m = s.members[0]
    refused(s.log, s.ballot(m), VOTING_OPEN - 1, "voting_not_open")
    refused(s.log, s.ballot(m), VOTING_CLOSE, "voting_closed")
    s.log.post(s.ballot(m), VOTING_OPEN)
    assert s.log.state.params.final  # type: ignore[union-attr]


def test_ballots_wait_for_the_credentials(listed: Scenario) -> None:
    s = listed.fork()
    s.ceremony()
    member = stranger()
    refused(s.log, s.ballot(member), NOW, "voting_not_ready")


def test_no_ballot_before_the_election_key(defined: Scenario) -> None:
    s = defined.fork()
    fake = Ballot("nec-clp+leader+rule-change-1", bytes(32), ()).to_json()
    member = derive_credential_key(CredentialCode.generate(), fingerprint=DEFINITION.fingerprint)
    refused(s.log, voter("ballot", fake, member), NOW, "voting_not_ready")


def _stranger(s: Scenario, style: str = STYLE_ALL) -> Member:
    code = CredentialCode.generate()
    return Member(code, derive_credential_key(code, fingerprint=DEFINITION.fingerprint), style)


def test_ballot_credentials_and_styles(ready: Scenario) -> None:
    s = ready.fork()
    refused(s.log, s.ballot(stranger()), NOW, "unknown_credential")
    member = s.members[0]
    assert member.style == STYLE_ALL
    as_youth = Member(member.code, member.key, STYLE_YOUTH)
    refused(s.log, s.ballot(as_youth), NOW, "wrong_style")


def test_a_tampered_proof_is_refused(ready: Scenario) -> None:
    s = ready.fork()
    entry = s.ballot(s.members[0])
    payload = copy.deepcopy(dict(entry.payload))
    branch = payload["contests"][0]["proofs"][0]["branches"][0]
    branch["response"] = (int(branch["response"], 16) ^ 1).to_bytes(32, "big").hex()
    refused(s.log, voter("ballot", payload, s.members[0].key), NOW, "invalid_proof")


def test_ciphertexts_copied_under_another_credential_are_refused(ready: Scenario) -> None:
    s = ready.fork()
    a, b = s.members[0], s.members[1]
    original = s.encrypt(a)
    s.log.post(voter("ballot", original.ballot.to_json(), a.key), NOW)
    # A plain copy cannot carry valid proofs under b's credential...
    refused(s.log, voter("ballot", original.ballot.to_json(), b.key), NOW, "invalid_proof")
    # ...and even knowing the randomness, b may not reuse a's ciphertexts.
    refused(s.log, reprove(s, original, b), NOW, "ciphertext_reused")
    # a itself may (an odd client), it is still a's ballot.
    s.log.post(reprove(s, original, a), NOW)


def test_an_audited_ciphertext_is_never_cast(ready: Scenario) -> None:
    s = ready.fork()
    a = s.members[0]
    encrypted = s.encrypt(a)
    from election.voter import audit_payload, sign_voter_entry

    inner = sign_voter_entry(
        election="nec-2027", type="ballot", payload=encrypted.ballot.to_json(), credential=a.key
    )
    s.log.post(voter("audit", audit_payload(inner, encrypted.openings), a.key), NOW)
    assert s.log.state.voting.audits == 1
    refused(s.log, voter("ballot", encrypted.ballot.to_json(), a.key), NOW, "ciphertext_audited")
    assert s.log.state.credentials.credentials[a.key.public.to_bytes()].last_ballot is None


def _audit_of(encrypted: EncryptedBallot, member: Member) -> tuple[Posted, Posted]:
    """The member's audit of ``encrypted``, and its inner ballot as a ballot entry (what a
    board holding the audit could post)."""
    from election.voter import audit_payload, sign_voter_entry

    inner = sign_voter_entry(
        election="nec-2027",
        type="ballot",
        payload=encrypted.ballot.to_json(),
        credential=member.key,
    )
    audit = voter("audit", audit_payload(inner, encrypted.openings), member.key)
    return audit, Posted.from_bytes(inner)


def test_issue16_8_a_ballot_the_member_only_audited_is_never_cast(ready: Scenario) -> None:
    """Issue 16 item 8: a member casts, then audits; a board that holds the audit posts its inner
    ballot as a ballot after the member's real one and before the audit. Today the audit is then
    accepted (same credential) and the audited ballot counts: the audit is refused now."""
    s = ready.fork()
    a = s.members[0]
    real = s.log.post(s.ballot(a), NOW)
    audit, inner = _audit_of(s.encrypt(a), a)
    inserted = s.log.post(inner, NOW + 1)  # the board cannot tell: it is a valid ballot
    credential = s.log.state.credentials.credentials[a.key.public.to_bytes()]
    assert credential.last_ballot == inserted
    assert s.log.state.voting.superseded == [real]
    error = refused(s.log, audit, NOW + 2, "ciphertext_cast")
    assert f"cast by the ballot in leaf {inserted}" in str(error)


def test_an_audit_of_ciphertexts_cast_by_any_credential_is_refused(ready: Scenario) -> None:
    s = ready.fork()
    a, b = s.members[0], s.members[1]
    original = s.encrypt(a)
    s.log.post(voter("ballot", original.ballot.to_json(), a.key), NOW)
    # b, given a's randomness, re-proves a's ciphertexts under its own credential and audits
    # them: an opened cast ciphertext, so ciphertext_cast, not ciphertext_reused.
    reproved = Ballot.from_json(reprove(s, original, b).payload, s.log.state.params.layout)  # type: ignore[union-attr]
    audit, _ = _audit_of(EncryptedBallot(reproved, original.openings), b)
    refused(s.log, audit, NOW, "ciphertext_cast")
    # Audits of fresh ciphertexts are accepted, and the same audit again is a replay.
    fresh, _ = _audit_of(s.encrypt(b), b)
    s.log.post(fresh, NOW)


def test_issue16_10_a_ballot_built_against_other_candidate_lists_is_refused(
    ready: Scenario,
) -> None:
    """Issue 16 item 10: the ballot carries the paper hash of the candidate lists in force; one
    built against a reordered list (or any other paper) is refused, and so is an audit of it."""
    s = ready.fork()
    a = s.members[0]
    params = s.log.state.params
    assert params is not None
    assert params.layout.paper is not None
    encrypted = s.encrypt(a)
    assert encrypted.ballot.paper == params.layout.paper
    # The same candidates in another order: another signed entry, another paper hash.
    listed = params.candidate_lists["nec-clp"]
    reordered = type(listed)(listed.contest, tuple(reversed(listed.candidates)))
    rewritten = admin("candidate-list", reordered.to_json())
    other = params.with_candidate_list(reordered, hashlib.sha256(rewritten.raw).digest())
    assert other.layout.paper is not None
    assert other.layout.paper != params.layout.paper
    wrong = Ballot(encrypted.ballot.style, other.layout.paper, encrypted.ballot.contests)
    error = refused(s.log, voter("ballot", wrong.to_json(), a.key), NOW, "wrong_paper")
    assert "other candidate lists" in str(error)
    audit, _ = _audit_of(EncryptedBallot(wrong, encrypted.openings), a)
    refused(s.log, audit, NOW, "wrong_paper")
    s.log.post(voter("ballot", encrypted.ballot.to_json(), a.key), NOW)


def test_the_paper_hash_is_the_candidate_list_entries_in_definition_order(ready: Scenario) -> None:
    s = ready.fork()
    params = s.log.state.params
    assert params is not None
    in_force = {}  # the last list of each contest
    for entry, _ in s.log.entries[1:]:
        if entry is not None and entry.type == "candidate-list":
            in_force[entry.payload["contest"]] = hashlib.sha256(entry.raw).digest()
    hashes = [in_force[c.id] for c in DEFINITION.contests if c.kind.value != "referendum"]
    assert params.layout.paper == ballot_paper(DEFINITION.fingerprint, hashes)


def test_an_audit_that_does_not_open_is_refused(ready: Scenario) -> None:
    s = ready.fork()
    a = s.members[0]
    entry = s.audit(a)
    payload = copy.deepcopy(dict(entry.payload))
    payload["openings"][0]["choices"][0] ^= 1
    refused(s.log, voter("audit", payload, a.key), NOW, "invalid_audit")
    other = s.members[1]
    refused(s.log, voter("audit", dict(entry.payload), other.key), NOW, "invalid_audit")
    refused(s.log, s.audit(stranger()), NOW, "unknown_credential")
    refused(s.log, entry, VOTING_CLOSE, "voting_closed")


def test_revotes_count_once_the_last(voted: Scenario) -> None:
    s = voted.fork()
    a = s.members[0]
    first = s.log.state.credentials.credentials[a.key.public.to_bytes()].last_ballot
    index = s.log.post(s.ballot(a, s.choices(a, nec_clp=[4])), NOW)
    credential = s.log.state.credentials.credentials[a.key.public.to_bytes()]
    assert credential.last_ballot == index
    assert s.log.state.voting.superseded == [first]
    assert s.log.state.voting.voters == {
        STYLE_ALL: 2,
        STYLE_YOUTH: 1,
        "nec-clp+bame-rep+leader+rule-change-1": 1,
    }
    s.log.post(s.tally_entry(), VOTING_CLOSE)
    for j in (1, 2, 3):
        s.log.post(s.decryption_entry(j), VOTING_CLOSE)
    s.mix_and_decrypt((1, 2, 3), VOTING_CLOSE)
    result = s.result_entry()
    counts = result.payload["contests"][0]["counts"]
    # members 1-3 marked ana and cat (0, 2); member 0 now marks eve (4) only.
    assert counts == [3, 0, 3, 0, 1]
    s.log.post(result, VOTING_CLOSE)


def test_a_stale_precheck_is_not_trusted(ready: Scenario) -> None:
    s = ready.fork()
    good, bad = s.ballot(s.members[0]), s.ballot(s.members[1])
    payload = copy.deepcopy(dict(bad.payload))
    payload["contests"][0]["proofs"][0]["branches"][0]["challenge"] = Scalar(7).to_hex()
    bad = voter("ballot", payload, s.members[1].key)
    stale = Prechecked(s.log.state.generation - 1, precheck(s.log.state.params, good).payload)
    with pytest.raises(Refusal) as info:
        check(s.log.state, bad, index=len(s.log.entries), received=NOW, prechecked=stale)
    assert info.value.code == "invalid_proof"


# --- tally, decryptions, result --------------------------------------------------------------


def test_tally(voted: Scenario) -> None:
    s = voted.fork()
    entry = s.tally_entry()
    refused(s.log, entry, VOTING_CLOSE - 1, "voting_not_closed")
    wrong_count = copy.deepcopy(dict(entry.payload))
    wrong_count["contests"][0]["ballots"] += 1
    refused(s.log, admin("tally", wrong_count), VOTING_CLOSE, "tally_mismatch")
    swapped = copy.deepcopy(dict(entry.payload))
    aggregates = swapped["contests"][0]["aggregates"]
    aggregates[0], aggregates[1] = aggregates[1], aggregates[0]
    refused(s.log, admin("tally", swapped), VOTING_CLOSE, "tally_mismatch")
    refused(s.log, admin("tally", dict(entry.payload), key=STRANGER), VOTING_CLOSE, "wrong_author")
    s.log.post(entry, VOTING_CLOSE)
    refused(s.log, entry, VOTING_CLOSE, "tally_exists")
    refused(s.log, s.ballot(s.members[0]), VOTING_CLOSE, "voting_closed")


def test_decryptions(voted: Scenario, tallied: Scenario) -> None:
    early = voted.fork()
    refused(early.log, tallied.decryption_entry(1), VOTING_CLOSE, "no_tally")
    s = tallied.fork()
    entry = s.decryption_entry(1)
    other_tally = copy.deepcopy(dict(entry.payload))
    other_tally["tally"] = "00" * 32
    refused(s.log, trustee("decryption", other_tally, 1), VOTING_CLOSE, "wrong_tally")
    forged = copy.deepcopy(dict(entry.payload))
    forged["shares"][0][0]["decryption_share"] = G.to_hex()
    refused(s.log, trustee("decryption", forged, 1), VOTING_CLOSE, "invalid_decryption")
    refused(
        s.log,
        signed("decryption", entry.payload, TRUSTEES[1], "trustee"),
        VOTING_CLOSE,
        "wrong_author",
    )
    s.log.post(entry, VOTING_CLOSE)
    refused(s.log, entry, VOTING_CLOSE, "duplicate_decryption")


def test_result_with_two_trustees_absent(tallied: Scenario) -> None:
    s = tallied.fork()
    s.log.post(s.decryption_entry(4), VOTING_CLOSE)
    s.log.post(s.decryption_entry(2), VOTING_CLOSE)
    refused(s.log, _result_anyway(s), VOTING_CLOSE, "not_enough_decryptions")
    s.log.post(s.decryption_entry(5), VOTING_CLOSE)
    for j in (2, 4, 5):
        s.log.post(s.mix_entry(j), VOTING_CLOSE)
    for j in (4, 2):
        s.log.post(s.ranked_decryption_entry(j), VOTING_CLOSE)
    refused(s.log, _result_anyway(s), VOTING_CLOSE, "not_enough_decryptions")
    s.log.post(s.ranked_decryption_entry(5), VOTING_CLOSE)
    entry = s.result_entry()
    assert entry.payload["trustees"] == [2, 4, 5]
    s.log.post(entry, VOTING_CLOSE)
    refused(s.log, entry, VOTING_CLOSE, "result_exists")


def _result_anyway(s: Scenario) -> Posted:
    tally_hash = s.log.state.tallying.tally_hash.hex()
    return admin("result", {"tally": tally_hash, "trustees": [2, 4], "seed": "00" * 32,
                            "contests": [
        {"contest": "nec-clp", "counts": [0] * 5, "elected": [], "passed_over": []},
        {"contest": "youth-rep", "counts": [0] * 2, "elected": [], "passed_over": []},
        {"contest": "bame-rep", "counts": [0] * 2, "elected": [], "passed_over": []},
        {"contest": "leader", "trustees": [], "papers": [None] * 4, "elected": [],
         "count": None},
        {"contest": "rule-change-1", "counts": [0, 0], "elected": []},
    ]})  # fmt: skip


def _bump_count(counts: list[int]) -> None:
    counts[0] += 1


RESULT_MUTATIONS: dict[str, Callable[[dict[str, Any]], None]] = {
    "count-plus-1": lambda p: _bump_count(p["contests"][0]["counts"]),
    "winners-swapped": lambda p: p["contests"][0]["elected"].reverse(),
    "quota-broken": lambda p: p["contests"][0].__setitem__("elected", ["ana", "ben", "dan"]),
    "seed-is-tally-hash": lambda p: p.__setitem__("seed", p["tally"]),
    "other-trustees": lambda p: p.__setitem__("trustees", [1, 2, 4]),
    "referendum-tie-claimed": lambda p: p["contests"][4].__setitem__("elected", []),
    "wrong-tally": lambda p: p.__setitem__("tally", "11" * 32),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(RESULT_MUTATIONS))
def test_a_wrong_result_is_refused(tallied: Scenario, name: str) -> None:
    s = tallied.fork()
    for j in (1, 2, 3):
        s.log.post(s.decryption_entry(j), VOTING_CLOSE)
    s.mix_and_decrypt((1, 2, 3), VOTING_CLOSE)
    entry = s.result_entry()
    payload = copy.deepcopy(dict(entry.payload))
    RESULT_MUTATIONS[name](payload)
    code = "wrong_tally" if name == "wrong-tally" else "result_mismatch"
    refused(s.log, admin("result", payload), VOTING_CLOSE, code)
    s.log.post(entry, VOTING_CLOSE)


def test_a_contest_nobody_voted_in_decrypts_without_shares(ready: Scenario) -> None:
    s = ready.fork()
    youth = [m for m in s.members if m.style != STYLE_YOUTH]
    for m in youth:
        s.log.post(s.ballot(m), NOW)
    s.log.post(s.tally_entry(), VOTING_CLOSE)
    tally = s.log.state.tallying.tally
    assert tally is not None
    assert tally.contests[1].ballots == 0
    assert all(a.alpha.is_identity for a in tally.contests[1].aggregates or ())
    for j in (1, 3, 5):
        entry = s.decryption_entry(j)
        assert entry.payload["shares"][1] == [None, None]
        s.log.post(entry, VOTING_CLOSE)
    s.mix_and_decrypt((1, 3, 5), VOTING_CLOSE)
    result = s.result_entry()
    assert result.payload["contests"][1]["counts"] == [0, 0]
    s.log.post(result, VOTING_CLOSE)
