"""Issue 16 items 8 and 10 as the verifier sees them: a board (with an administrator) that
rewrites the ballot paper after the close, and a board that casts a ballot a member only audited.

Each log is re-signed whole by the board key, so no check of the log (check 1) can notice: only
the paper hash every ballot carries (§11.8) and the rule that an audited ballot never counts
(§11.10) do, and the verifier reports them at the entries at fault.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from election.counting import contest_winners
from election.voter import audit_payload, sign_voter_entry
from election.wire import CandidateList
from tests.election.scenario import (
    ADMIN,
    DEFINITION,
    ELECTION,
    VOTING_CLOSE,
    VOTING_OPEN,
    Posted,
    Scenario,
)
from tests.verifier.election import (
    Built,
    entry_of,
    export_bytes,
    resign,
    scenario_leaves,
    verify_bytes,
)


def _reordered_paper(built: Built) -> list[tuple[bytes, int]]:
    """The administrator re-signs the nec-clp candidate list in another order and the result as
    it would read with that list; the board re-signs the whole log (every tree head)."""
    leaves = list(built.leaves)
    at = next(
        i
        for i, (raw, _) in enumerate(leaves)
        if entry_of(raw)["type"] == "candidate-list"
        and entry_of(raw)["payload"]["contest"] == "nec-clp"
    )

    def reorder(payload: dict[str, Any]) -> None:
        payload["candidates"].reverse()

    leaves[at] = (resign(leaves[at][0], reorder, ADMIN), leaves[at][1])
    reordered = CandidateList.from_json(entry_of(leaves[at][0])["payload"])
    result = built.index_of("result")
    contest = DEFINITION.contest("nec-clp")

    def rewrite(payload: dict[str, Any]) -> None:
        row = next(r for r in payload["contests"] if r["contest"] == "nec-clp")
        elected, passed_over = contest_winners(
            contest, row["counts"], candidates=reordered, seed=bytes.fromhex(payload["seed"])
        )
        row["elected"], row["passed_over"] = list(elected), list(passed_over)

    leaves[result] = (resign(leaves[result][0], rewrite, ADMIN), leaves[result][1])
    return leaves


def test_issue16_10_a_candidate_list_rewritten_after_the_close_fails_every_ballot(
    built: Built, tmp_path: Path
) -> None:
    leaves = _reordered_paper(built)
    report = verify_bytes(export_bytes(leaves), tmp_path)
    voters = [
        i for i, (raw, _) in enumerate(leaves) if entry_of(raw)["type"] in ("ballot", "audit")
    ]
    assert len(voters) == 6
    wrong = {
        f.index
        for f in report.findings()
        if f.check == 5 and "built against other candidate lists than those on the log" in f.message
    }
    assert wrong == set(voters), "\n".join(report.lines())
    assert report.checks[5].passed == 0
    first = min(f.index for f in report.findings() if f.index is not None)
    assert first == voters[0]
    assert report.outcome == "failed"


def _audited_then_cast(
    *, by_the_rule: bool = False
) -> tuple[list[tuple[bytes, int]], dict[str, int]]:
    """A member casts, then audits; the board posts the audit's inner ballot as a ballot before
    the audit and appends the audit anyway (rules not checked from there on); the
    administrator's tally and result are computed from that log, as the honest tools do (or,
    ``by_the_rule``, the tally §11.10 gives: the member's real ballot counted, not the audited
    one)."""
    s = Scenario()
    s.define()
    s.nominate()
    s.ceremony()
    s.candidate_lists()
    s.issue()
    log, now = s.log, VOTING_OPEN + 1000
    member = s.members[0]
    at: dict[str, int] = {}
    at["real"] = log.post(s.ballot(member), now)
    for other in s.members[1:]:
        log.post(s.ballot(other), now)
    audited = s.encrypt(member)
    inner = sign_voter_entry(
        election=ELECTION, type="ballot", payload=audited.ballot.to_json(), credential=member.key
    )
    audit = sign_voter_entry(
        election=ELECTION,
        type="audit",
        payload=audit_payload(inner, audited.openings),
        credential=member.key,
    )
    counted = s.fork()
    log.checked = False
    at["cast"] = log.post(Posted.from_bytes(inner), now + 1)
    at["audit"] = log.post(Posted.from_bytes(audit), now + 2)
    tally = counted.tally_entry() if by_the_rule else s.tally_entry()
    at["tally"] = log.post(tally, VOTING_CLOSE)
    for j in (2, 4, 5):
        log.post(s.decryption_entry(j), VOTING_CLOSE + 1)
    # the ranked contest mixed from the list the tally counts (the rule's, when it is)
    mixer = counted if by_the_rule else s
    if by_the_rule:
        counted.log.post(tally, VOTING_CLOSE)
    for make in (mixer.mix_entry, mixer.ranked_decryption_entry):
        for j in (2, 4, 5):
            entry = make(j)
            if by_the_rule:
                counted.log.post(entry, VOTING_CLOSE + 1)
            log.post(entry, VOTING_CLOSE + 1)
    log.post(s.result_entry(), VOTING_CLOSE + 2)
    return scenario_leaves(s), at


def test_issue16_8_a_ballot_the_member_only_audited_is_caught(tmp_path: Path) -> None:
    leaves, at = _audited_then_cast()
    report = verify_bytes(export_bytes(leaves), tmp_path)
    found = {(f.check, f.index): f.message for f in report.findings()}
    assert "cast by the ballot in leaf" in found[(5, at["audit"])], "\n".join(report.lines())
    assert f"the audit in leaf {at['audit']} opens it" in found[(6, at["cast"])]
    # The administrator's tally counted the audited ballot instead of the member's real one:
    # as many ballots (check 6 passes there), other aggregates.
    assert "the aggregate is not the counted ballots'" in found[(7, at["tally"])]
    assert (6, at["tally"]) not in found
    assert report.outcome == "failed"


def test_issue16_8_the_member_s_real_ballot_is_the_one_that_counts(tmp_path: Path) -> None:
    """§11.10: the audited ballot replaces nothing, so a tally of the member's real ballot is
    the right one; only the two entries the board should not hold are reported."""
    leaves, at = _audited_then_cast(by_the_rule=True)
    report = verify_bytes(export_bytes(leaves), tmp_path)
    found = {(f.check, f.index) for f in report.findings()}
    assert found == {(5, at["audit"]), (6, at["cast"])}, "\n".join(report.lines())
    assert report.checks[8].passed == 1


def test_an_audit_before_the_ballot_it_opens_is_caught_at_the_ballot(tmp_path: Path) -> None:
    """The other order (the board posts the inner ballot after the audit): check 5 at the
    ballot, which does not replace the member's real ballot."""
    leaves, at = _audited_then_cast()
    leaves = copy.copy(leaves)
    leaves[at["cast"]], leaves[at["audit"]] = leaves[at["audit"]], leaves[at["cast"]]
    report = verify_bytes(export_bytes(leaves), tmp_path)
    found = {(f.check, f.index): f.message for f in report.findings()}
    assert "opened by the audit in leaf" in found[(5, at["audit"])], "\n".join(report.lines())
    assert (6, at["audit"]) not in found
