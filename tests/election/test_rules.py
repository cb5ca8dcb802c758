"""Spec §11.4-§11.7 The election's rules up to voting: each entry type accepted in its phase and
refused out of order, with its stable code (the definition, the timetable, nominations and
candidate lists, the key ceremony, the credentials), and the state's building blocks.

The checkpoints (``defined`` ... ``tallied``) are tests/election/conftest.py's."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crypto.credentials import CredentialCode, derive_credential_key
from crypto.errors import MalformedInput
from crypto.group import G, Scalar
from crypto.threshold import complain
from election.rules import ElectionState, LoggedEntry, Refusal, precheck
from election.rules._state import AlphaIndex
from tests.crypto.threshold.ceremony import wrong_share_to
from tests.election.scenario import (
    ADMIN,
    DAY,
    DEFINITION,
    ISSUER,
    NEC_NOMINEES,
    NOMINATIONS_CLOSE,
    NOMINATIONS_OPEN,
    NOW,
    STRANGER,
    STYLE_ALL,
    STYLE_YOUTH,
    TRUSTEES,
    VOTING_CLOSE,
    VOTING_OPEN,
    Log,
    Posted,
    Scenario,
    admin,
    issuer,
    nomination,
    nominee,
    refused,
    signed,
    trustee,
)

# --- definition ------------------------------------------------------------------------------


def _definition(key: Any = ADMIN) -> Posted:
    return admin("election-definition", {"definition": DEFINITION.to_json()}, key=key)


def test_nothing_before_the_definition() -> None:
    log = Log()
    refused(
        log, nomination("nec-clp", NEC_NOMINEES[0], "Ashton CLP"), NOMINATIONS_OPEN, "no_definition"
    )
    refused(log, issuer("credentials-complete", {"counts": {STYLE_ALL: 1}}), 0, "no_definition")


def test_the_definition_is_leaf_1_once_for_this_election_by_its_administrator() -> None:
    refused(Log(), _definition(STRANGER), 0, "wrong_author")
    refused(Log(election="other-2027"), _definition(), 0, "definition_id_mismatch")
    late = Log()
    late.entries.append((None, 0))
    refused(late, _definition(), 0, "definition_not_first")
    log = Log()
    assert log.post(_definition(), 0) == 1
    refused(log, _definition(), 0, "definition_exists")


def test_roles_and_author_keys(defined: Scenario) -> None:
    log = defined.fork().log
    entry = nomination("nec-clp", NEC_NOMINEES[0], "Ashton CLP")
    as_issuer = signed("nomination", entry.payload, ISSUER, "issuer")
    refused(log, as_issuer, NOMINATIONS_OPEN + DAY, "wrong_role")
    stranger = admin("nomination", entry.payload, key=STRANGER)
    refused(log, stranger, NOMINATIONS_OPEN + DAY, "wrong_author")
    issued = issuer("credentials-complete", {"counts": {STYLE_ALL: 1}}, key=ADMIN)
    refused(log, issued, NOMINATIONS_OPEN, "wrong_author")


# --- timetable-change ------------------------------------------------------------------------


def _change(field: str, ms: int, reason: str = "Postal strike") -> Posted:
    from datetime import UTC, datetime

    time = datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return admin("timetable-change", {"field": field, "time": time, "reason": reason})


def test_a_deadline_moves_only_before_it_passes(listed: Scenario) -> None:
    s = listed.fork()
    now = VOTING_OPEN - DAY
    s.log.post(_change("voting_close", VOTING_CLOSE + 5 * DAY), now)
    assert s.log.state.instant("voting_close") == VOTING_CLOSE + 5 * DAY
    refused(s.log, _change("nominations_close", VOTING_OPEN - 2 * DAY), now, "deadline_passed")
    refused(s.log, _change("voting_open", now - 1000), now, "time_in_past")
    refused(s.log, _change("voting_open", VOTING_CLOSE + 6 * DAY), now, "timetable_disorder")
    s.log.post(_change("voting_open", VOTING_OPEN + DAY), now)
    assert s.log.state.instant("voting_open") == VOTING_OPEN + DAY


# --- nominations, exclusions, candidate lists -------------------------------------------------


def test_nominations(defined: Scenario) -> None:
    log = defined.fork().log
    ana = NEC_NOMINEES[0]
    refused(
        log, nomination("nec-clp", ana, "Ashton CLP"), NOMINATIONS_OPEN - 1, "nominations_not_open"
    )
    now = NOMINATIONS_OPEN + 2 * DAY
    refused(log, nomination("mayor", ana, "Ashton CLP"), now, "unknown_contest")
    refused(log, nomination("rule-change-1", ana, "Ashton CLP"), now, "no_candidates")
    refused(
        log,
        nomination("nec-clp", ana, "Ashton CLP", day="2027-01-03"),
        now,
        "received_out_of_period",
    )
    refused(
        log,
        nomination("nec-clp", ana, "Ashton CLP", day="2027-01-07"),
        now,
        "received_out_of_period",
    )
    log.post(nomination("nec-clp", ana, "Ashton CLP", day="2027-01-06"), now)
    refused(log, nomination("nec-clp", ana, "Ashton CLP"), now, "duplicate_nomination")
    renamed = ("ana", "Ana Alves-Smith", "woman")
    refused(log, nomination("nec-clp", renamed, "Barnet CLP"), now, "nominee_mismatch")
    # A nomination received in time may be recorded after nominations close.
    log.post(nomination("nec-clp", ana, "Barnet CLP", day="2027-01-14"), NOMINATIONS_CLOSE + DAY)
    refused(log, nomination("nec-clp", ana, "Camden CLP"), VOTING_OPEN, "voting_opened")


def test_candidate_lists(nominated: Scenario) -> None:
    s = nominated.fork()
    candidates = [nominee(*w) for w in NEC_NOMINEES]
    entry = admin("candidate-list", {"contest": "nec-clp", "candidates": candidates})
    refused(s.log, entry, NOMINATIONS_CLOSE - 1, "nominations_not_closed")
    now = NOMINATIONS_CLOSE + DAY
    short = admin("candidate-list", {"contest": "nec-clp", "candidates": candidates[:-1]})
    refused(s.log, short, now, "candidates_mismatch")
    extra = [*candidates, nominee("fay", "Fay Fox", "woman")]
    refused(
        s.log,
        admin("candidate-list", {"contest": "nec-clp", "candidates": extra}),
        now,
        "candidates_mismatch",
    )
    renamed = [nominee("ana", "Anna Alves", "woman"), *candidates[1:]]
    refused(
        s.log,
        admin("candidate-list", {"contest": "nec-clp", "candidates": renamed}),
        now,
        "candidates_mismatch",
    )
    refused(
        s.log,
        admin("candidate-list", {"contest": "rule-change-1", "candidates": candidates}),
        now,
        "no_candidates",
    )
    # Below the threshold of 2 nominations: fay, nominated once, does not qualify.
    s.log.post(nomination("nec-clp", ("fay", "Fay Fox", "woman"), "Camden CLP"), now)
    s.log.post(entry, now)
    reordered = admin("candidate-list", {"contest": "nec-clp", "candidates": candidates[::-1]})
    s.log.post(reordered, now)  # a later list replaces the earlier one before voting opens
    assert s.log.state.params.candidate_lists["nec-clp"].candidates[0].id == "eve"  # type: ignore[union-attr]
    refused(
        s.log,
        nomination("nec-clp", ("fay", "Fay Fox", "woman"), "Dover CLP"),
        now,
        "candidate_list_published",
    )
    refused(s.log, entry, VOTING_OPEN, "voting_opened")


def test_constraints_that_cannot_be_met_are_refused_with_the_list(nominated: Scenario) -> None:
    s = nominated.fork()
    now = NOMINATIONS_CLOSE + DAY
    for who in ("cat", "eve"):
        s.log.post(
            admin("exclusion", {"contest": "nec-clp", "nominee": who, "reason": "Withdrew"}), now
        )
    remaining = [nominee(*w) for w in NEC_NOMINEES if w[0] not in ("cat", "eve")]
    entry = admin("candidate-list", {"contest": "nec-clp", "candidates": remaining})
    refused(s.log, entry, now, "constraints_infeasible")


def test_exclusions(listed: Scenario) -> None:
    s = listed.fork()
    now = VOTING_OPEN - DAY
    exclude = admin("exclusion", {"contest": "nec-clp", "nominee": "ben", "reason": "Withdrew"})
    refused(
        s.log,
        admin("exclusion", {"contest": "nec-clp", "nominee": "zed", "reason": "x"}),
        now,
        "unknown_nominee",
    )
    s.log.post(exclude, now)
    refused(s.log, exclude, now, "already_excluded")
    assert s.log.state.ready() is not None  # the list in force names an excluded nominee
    without = [nominee(*w) for w in NEC_NOMINEES if w[0] != "ben"]
    s.log.post(admin("candidate-list", {"contest": "nec-clp", "candidates": without}), now)
    assert "nec-clp" not in s.log.state.setup.stale_lists
    later = admin("exclusion", {"contest": "nec-clp", "nominee": "dan", "reason": "Withdrew"})
    refused(s.log, later, VOTING_OPEN, "voting_opened")


def test_decisions_any_time(defined: Scenario) -> None:
    log = defined.fork().log
    decision = {"subject": "Count venue", "decision": "Online", "reason": "Cost"}
    log.post(admin("decision", decision), VOTING_CLOSE + 10 * DAY)
    refused(log, admin("decision", decision, key=STRANGER), VOTING_CLOSE, "wrong_author")


# --- key ceremony ----------------------------------------------------------------------------


def test_ceremony_order_and_refusals(listed: Scenario) -> None:
    s = listed.fork()
    now = NOMINATIONS_OPEN + 2 * DAY
    keys = s.trustee_key_entries()
    s.log.post(keys[0], now)
    refused(s.log, keys[0], now, "duplicate_trustee_key")
    wrong_key = signed("trustee-key", keys[1].payload, TRUSTEES[0], "trustee")
    refused(s.log, wrong_key, now, "wrong_author")
    bad_proof = copy.deepcopy(dict(keys[1].payload))
    bad_proof["key"]["proof"]["response"] = Scalar(1).to_hex()
    refused(s.log, trustee("trustee-key", bad_proof, 2), now, "invalid_proof")
    identity = copy.deepcopy(dict(keys[1].payload))
    identity["key"]["encryption_key"] = "00" * 33
    refused(s.log, trustee("trustee-key", identity, 2), now, "invalid_proof")
    sixth = copy.deepcopy(dict(keys[1].payload))
    sixth["key"]["trustee"] = 6
    refused(s.log, trustee("trustee-key", sixth, 2), now, "unknown_trustee")
    for e in keys[1:4]:
        s.log.post(e, now)
    dealings = s.dealing_entries()
    refused(s.log, dealings[0], now, "trustee_keys_missing")
    s.log.post(keys[4], now)
    bad_dealing = copy.deepcopy(dict(dealings[0].payload))
    bad_dealing["dealing"]["proof"]["response"] = Scalar(1).to_hex()
    refused(s.log, trustee("dealing", bad_dealing, 1), now, "invalid_dealing")
    s.log.post(dealings[0], now)
    refused(s.log, dealings[0], now, "duplicate_dealing")
    refused(s.log, trustee("shares-accepted", {"trustee": 1}, 1), now, "dealings_missing")
    for e in dealings[1:]:
        s.log.post(e, now)
    checks, _ = s.checking_entries()
    assert [e.type for e in checks] == ["shares-accepted"] * 5
    for e in checks[:4]:
        s.log.post(e, now)
    refused(s.log, checks[0], now, "duplicate_shares_accepted")
    refused(s.log, s.election_key_entry(), now, "ceremony_incomplete")
    s.log.post(checks[4], now)
    key = s.election_key_entry()
    wrong = copy.deepcopy(dict(key.payload))
    wrong["joint_key"]["commitments"][0] = G.to_hex()
    refused(s.log, admin("election-key", wrong), now, "election_key_mismatch")
    refused(s.log, key, VOTING_OPEN, "voting_opened")
    s.log.post(key, now)
    refused(s.log, key, now, "election_key_exists")
    refused(s.log, dealings[0], now, "ceremony_closed")


def test_a_cheating_trustee_is_named_by_the_complaint_and_disqualified(listed: Scenario) -> None:
    s = listed.fork()
    now = NOMINATIONS_OPEN + 2 * DAY
    for e in s.trustee_key_entries():
        s.log.post(e, now)
    for e in s.dealing_entries({2: wrong_share_to(4)}):
        s.log.post(e, now)
    checks, _ = s.checking_entries()
    assert [(e.type, e.payload.get("trustee")) for e in checks[:1]] == [("complaint", None)]
    complaint = checks[0]
    assert complaint.payload["complaint"]["dealer"] == 2
    assert complaint.payload["complaint"]["complainant"] == 4
    forged = copy.deepcopy(dict(complaint.payload))
    forged["complaint"]["shared_secret"] = G.to_hex()
    refused(s.log, trustee("complaint", forged, 4), now, "invalid_complaint")
    s.log.post(complaint, now)
    refused(s.log, complaint, now, "duplicate_complaint")
    for e in checks[1:]:
        s.log.post(e, now)
    late = complain(s.params, s.trustee_keys[5], s.dealings[1])
    refused(
        s.log,
        trustee("complaint", {"complaint": late.to_json()}, 5),
        now,
        "shares_already_accepted",
    )
    key = s.election_key_entry()
    assert key.payload["absent"] == [{"reason": "dealer-at-fault", "trustee": 2}]
    assert key.payload["joint_key"]["qualified"] == [1, 3, 4, 5]
    s.log.post(key, now)


def test_complaint_before_the_accused_deals(listed: Scenario) -> None:
    s = listed.fork()
    now = NOMINATIONS_OPEN + 2 * DAY
    for e in s.trustee_key_entries():
        s.log.post(e, now)
    dealings = s.dealing_entries({2: wrong_share_to(4)})
    c = complain(s.params, s.trustee_keys[4], s.dealings[2])
    refused(s.log, trustee("complaint", {"complaint": c.to_json()}, 4), now, "no_dealing")
    assert dealings


@pytest.fixture(scope="module")
def two_confirmed(listed: Scenario) -> tuple[Scenario, list[LoggedEntry]]:
    """The ceremony done, only trustees 1 and 2 of t = 3 confirmed, credentials issued."""
    s = listed.fork()
    s.ceremony()
    partial = Scenario(
        log=Log(entries=[s.log.entries[0]]),
        params=s.params,
        key_shares=s.key_shares,
        public_key=s.public_key,
    )
    held: list[LoggedEntry] = []
    for entry, when in s.log.entries[1:]:
        assert entry is not None
        if entry.type == "key-confirmation" and entry.payload["confirmation"]["trustee"] > 2:
            held.append(entry)
        else:
            partial.log.post(entry, when)
    partial.issue()
    return partial, held


def test_key_confirmations(defined: Scenario, two_confirmed: tuple[Scenario, list[Posted]]) -> None:
    base, held = two_confirmed
    s = base.fork()
    refused(defined.fork().log, held[0], NOW, "no_election_key")
    forged = copy.deepcopy(dict(held[0].payload))
    forged["confirmation"]["proof"] = held[1].payload["confirmation"]["proof"]
    refused(s.log, trustee("key-confirmation", forged, 3), NOW, "invalid_confirmation")
    refused(s.log, s.ballot(s.members[0]), NOW, "voting_not_ready")
    s.log.post(held[0], NOW)
    refused(s.log, held[0], NOW, "duplicate_confirmation")
    s.log.post(s.ballot(s.members[0]), NOW)


# --- credentials -----------------------------------------------------------------------------


def _credentials(n: int) -> list[str]:
    keys = [
        derive_credential_key(CredentialCode.generate(), fingerprint=DEFINITION.fingerprint).public
        for _ in range(n)
    ]
    return sorted(k.to_hex() for k in keys)


def test_credential_parts(listed: Scenario) -> None:
    log = listed.fork().log
    now = NOMINATIONS_CLOSE + DAY
    keys = _credentials(6)

    def part(style: str, p: int, ks: list[str]) -> Posted:
        return issuer("credentials", {"style": style, "part": p, "credentials": ks})

    refused(log, part("nec-clp+leader+rule-change-1+youth-rep", 0, keys[:2]), now, "unknown_style")
    refused(log, part(STYLE_ALL, 1, keys[:2]), now, "part_out_of_order")
    log.post(part(STYLE_ALL, 0, keys[2:4]), now)
    refused(log, part(STYLE_ALL, 1, keys[:2]), now, "credentials_unsorted")
    refused(log, part(STYLE_YOUTH, 0, keys[3:5]), now, "duplicate_credential")
    log.post(part(STYLE_ALL, 1, keys[4:5]), now)
    log.post(part(STYLE_YOUTH, 0, keys[:2]), now)
    refused(
        log,
        issuer("credentials-complete", {"counts": {STYLE_ALL: 3, STYLE_YOUTH: 1}}),
        now,
        "counts_mismatch",
    )
    refused(log, issuer("credentials-complete", {"counts": {STYLE_ALL: 3}}), now, "counts_mismatch")
    refused(
        log,
        issuer("credentials-complete", {"counts": {STYLE_ALL: 3, STYLE_YOUTH: 2}}),
        VOTING_OPEN,
        "voting_opened",
    )
    log.post(issuer("credentials-complete", {"counts": {STYLE_ALL: 3, STYLE_YOUTH: 2}}), now)
    refused(log, part(STYLE_ALL, 2, keys[5:]), now, "credentials_complete")
    refused(
        log,
        issuer("credentials-complete", {"counts": {STYLE_ALL: 3, STYLE_YOUTH: 2}}),
        now,
        "credentials_complete",
    )


def test_part_before_voting_opens(listed: Scenario) -> None:
    log = listed.fork().log
    part = issuer("credentials", {"style": STYLE_ALL, "part": 0, "credentials": _credentials(1)})
    refused(log, part, VOTING_OPEN, "voting_opened")


def _reissue(old: str, new: str, style: str = STYLE_ALL) -> Posted:
    return issuer(
        "credential-reissue",
        {"style": style, "revoked": old, "credential": new, "reason": "Letter lost in the post"},
    )


def test_reissues(listed: Scenario, ready: Scenario) -> None:
    early = listed.fork()
    new = _credentials(2)
    refused(early.log, _reissue(new[0], new[1]), NOW, "credentials_incomplete")
    s = ready.fork()
    old = s.members[0].key.public.to_hex()
    youth = s.members[2].key.public.to_hex()
    refused(s.log, _reissue(new[0], new[1]), NOW, "unknown_credential")
    refused(s.log, _reissue(old, youth), NOW, "duplicate_credential")
    refused(s.log, _reissue(old, new[0], style=STYLE_YOUTH), NOW, "style_mismatch")
    refused(s.log, _reissue(old, new[0]), VOTING_CLOSE, "voting_closed")
    s.log.post(_reissue(old, new[0]), NOW)
    refused(s.log, _reissue(old, new[1]), NOW, "credential_revoked")
    refused(s.log, s.ballot(s.members[0]), NOW, "credential_revoked")


def test_a_revoked_credentials_ballots_do_not_count(voted: Scenario) -> None:
    s = voted.fork()
    a = s.members[0]
    s.log.post(_reissue(a.key.public.to_hex(), _credentials(1)[0]), NOW)
    tally = s.tally_entry()
    assert tally.payload["contests"][0]["ballots"] == 3
    s.log.post(tally, VOTING_CLOSE)


# --- the state's building blocks -------------------------------------------------------------


class _FakePoint:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def to_bytes(self) -> bytes:
        return self.data


def test_alpha_index_finds_every_leaf_with_a_fingerprint_and_grows() -> None:
    index = AlphaIndex(capacity=4)
    points = [_FakePoint(bytes([2]) + i.to_bytes(8, "big") + bytes(24)) for i in range(1, 1001)]
    for leaf, p in enumerate(points, start=1):
        index.add(p, leaf)  # type: ignore[arg-type]
    twin = _FakePoint(bytes([3]) + (7).to_bytes(8, "big") + bytes([1]) * 24)  # same prefix as 7
    index.add(twin, 5000)  # type: ignore[arg-type]
    assert len(index) == 1001
    for leaf, p in enumerate(points, start=1):
        found = index.leaves(p)  # type: ignore[arg-type]
        assert leaf in found
        assert found == ([7, 5000] if leaf == 7 else [leaf])
    assert index.leaves(_FakePoint(bytes([2]) + bytes([9]) * 32)) == []  # type: ignore[arg-type]


def test_state_without_leaf_reader_says_so(voted: Scenario) -> None:
    state = ElectionState("nec-2027")
    from election.rules._voting import read_back

    with pytest.raises(
        RuntimeError, match="the election rules need leaf 3: give the state a leaf reader"
    ):
        read_back(state, 3)


def test_unknown_types_are_refused(defined: Scenario) -> None:
    with pytest.raises(Refusal) as info:
        precheck(defined.log.state.params, admin("note", {}))
    assert info.value.code == "unknown_type"


def test_malformed_payloads_raise_malformed_input(defined: Scenario) -> None:
    with pytest.raises(
        MalformedInput, match=r"decision payload: missing field\(s\) decision, reason"
    ):
        defined.fork().log.post(admin("decision", {"subject": "x"}), NOW)


def test_nothing_that_fixes_the_ballot_changes_after_voting_opens(voted: Scenario) -> None:
    s = voted.fork()
    assert s.log.state.params is not None
    assert s.log.state.params.final
    refused(s.log, _change("voting_open", VOTING_CLOSE - DAY), NOW, "deadline_passed")
    refused(s.log, _definition(), NOW, "definition_exists")
    listed = [nominee(*w) for w in NEC_NOMINEES]
    entry = admin("candidate-list", {"contest": "nec-clp", "candidates": listed[::-1]})
    refused(s.log, entry, NOW, "voting_opened")
    refused(s.log, s.election_key_entry(), NOW, "election_key_exists")
    s.log.post(_change("voting_close", VOTING_CLOSE + DAY), NOW)  # extending the close is fine


def test_voting_cannot_be_cut_short_once_it_opened(voted: Scenario) -> None:
    """Spec §11.5 (issue 15 item 2): during voting the close only moves later; the reproduction
    moved it to 40 seconds ahead while members were voting, and the board accepted it."""
    s = voted.fork()
    info = refused(s.log, _change("voting_close", NOW + 40_000), NOW, "voting_close_shortened")
    assert "only move later" in str(info)
    refused(s.log, _change("voting_close", VOTING_CLOSE - 1000), NOW, "voting_close_shortened")
    s.log.post(_change("voting_close", VOTING_CLOSE + DAY), NOW)
    later = NOW + DAY
    refused(s.log, _change("voting_close", VOTING_CLOSE), later, "voting_close_shortened")
    s.log.post(_change("voting_close", VOTING_CLOSE + 2 * DAY), later)
    assert s.log.state.instant("voting_close") == VOTING_CLOSE + 2 * DAY


def test_the_close_may_be_brought_forward_before_voting_opens(listed: Scenario) -> None:
    s = listed.fork()
    s.log.post(_change("voting_close", VOTING_CLOSE - DAY), VOTING_OPEN - DAY)
    assert s.log.state.instant("voting_close") == VOTING_CLOSE - DAY
