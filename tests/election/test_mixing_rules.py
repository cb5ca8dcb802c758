"""Spec §11.11-§11.12 Mixing a ranked contest: each mix accepted only in its phase, from an
entitled trustee, over the right input, with a proof that verifies; each ranked decryption only
after t mixes, naming the last; the result's papers, seed and count recomputed. Every refusal
has its own code and appends nothing."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from crypto.elgamal import Ciphertext, PublicKey, encrypt_bytes_with_randomness
from crypto.errors import MalformedInput
from crypto.group import G, Scalar
from crypto.multiexp import g_pow_vartime, multi_pow_vartime
from crypto.proofs.randomness import prove_randomness
from election.rules import Prechecked, Refusal, check, precheck
from election.rules._mixing import CheckedDecryption, CheckedMix
from election.rules._tally import CheckedResult
from election.wire import Ballot, Mix, RankedContestBallot, ranking_context
from simulation.builder import Member
from tests.election.scenario import (
    DEFINITION,
    NOW,
    STYLE_ALL,
    STYLE_BAME,
    STYLE_YOUTH,
    TRUSTEES,
    VOTING_CLOSE,
    Posted,
    Scenario,
    admin,
    refused,
    signed,
    trustee,
    voter,
)

LATER = VOTING_CLOSE + 1


def _ranked_ballot(s: Scenario, member: Member, ciphertext: Ciphertext, r: Scalar) -> Posted:
    """``member``'s honest ballot with its ranking replaced by ``ciphertext`` (randomness r):
    what a cheating client could cast, since the randomness proof says nothing of the plaintext."""
    assert s.public_key is not None
    encrypted = s.encrypt(member, s.choices(member))
    contests: list[Any] = []
    for contest in encrypted.ballot.contests:
        if isinstance(contest, RankedContestBallot):
            context = ranking_context(DEFINITION.fingerprint, member.key.public, contest.contest)
            proof = prove_randomness(
                r, public_key=s.public_key, ciphertext=ciphertext, context=context
            )
            contest = RankedContestBallot(contest.contest, ciphertext, proof)
        contests.append(contest)
    ballot = Ballot(encrypted.ballot.style, encrypted.ballot.paper, tuple(contests))
    return voter("ballot", ballot.to_json(), member.key)


def _not_an_embedding(pk: PublicKey) -> tuple[Ciphertext, Scalar]:
    """An encryption of g itself: a point no byte string embeds to (its x starts 0x79)."""
    r = Scalar(123456789)
    return Ciphertext(g_pow_vartime(r), G * multi_pow_vartime([(pk.element, r)])), r


#: Member -> the leader ranking it casts (option indices), or the raw bytes a cheat encrypts.
RANKINGS: list[list[int] | bytes | None] = [[0, 1, 2], [1, 0], [], [2], b"\x02\x02", None]


@pytest.fixture(scope="module")
def voted() -> Scenario:
    """Six members vote for the leader: three valid rankings, nobody ranked (0xFF), a repeat
    and a point that is not an embedding (the last two by cheating clients)."""
    s = Scenario()
    s.define()
    s.nominate()
    s.candidate_lists()
    s.ceremony()
    s.issue([STYLE_ALL, STYLE_ALL, STYLE_YOUTH, STYLE_BAME, STYLE_ALL, STYLE_ALL])
    assert s.public_key is not None
    for member, ranking in zip(s.members, RANKINGS, strict=True):
        if isinstance(ranking, list):
            s.log.post(s.ballot(member, s.choices(member, leader=ranking)), NOW)
        elif ranking is None:
            s.log.post(_ranked_ballot(s, member, *_not_an_embedding(s.public_key)), NOW)
        else:
            r = Scalar(987654321)
            encrypted = encrypt_bytes_with_randomness(s.public_key, ranking, randomness=r)
            s.log.post(_ranked_ballot(s, member, encrypted, r), NOW)
    return s


@pytest.fixture(scope="module")
def tallied(voted: Scenario) -> Scenario:
    s = voted.fork()
    s.log.post(s.tally_entry(), VOTING_CLOSE)
    for j in (2, 4, 5):
        s.log.post(s.decryption_entry(j), LATER)
    return s


@pytest.fixture(scope="module")
def mixed(tallied: Scenario) -> Scenario:
    s = tallied.fork()
    for j in (2, 4, 5):
        s.log.post(s.mix_entry(j), LATER)
    return s


@pytest.fixture(scope="module")
def decrypted(mixed: Scenario) -> Scenario:
    s = mixed.fork()
    for j in (2, 4, 5):
        s.log.post(s.ranked_decryption_entry(j), LATER)
    return s


def _changed(entry: Posted, j: int, change: Callable[[dict[str, Any]], None]) -> Posted:
    payload = copy.deepcopy(dict(entry.payload))
    change(payload)
    return trustee(entry.type, payload, j)


def _swap_outputs(p: dict[str, Any]) -> None:
    outputs = p["outputs"]
    outputs[0], outputs[1] = outputs[1], outputs[0]


def _bump(value: str) -> str:
    return (Scalar.from_hex(value) + Scalar(1)).to_hex()


# --- mix -------------------------------------------------------------------------------------


def test_the_input_of_the_first_mix_is_the_counted_ballots_rankings(tallied: Scenario) -> None:
    latest = tallied.log.state.tallying.lists["leader"]
    assert latest.mixes == 0
    assert latest.source == tallied.log.state.tallying.tally_hash
    ballots = [
        entry
        for entry, _ in tallied.log.entries[1:]
        if entry is not None and entry.type == "ballot"
    ]
    expected = [Ballot.from_json(b.payload, tallied.log.state.params.layout) for b in ballots]  # type: ignore[union-attr]
    rankings = [
        c.ranking for b in expected for c in b.contests if isinstance(c, RankedContestBallot)
    ]
    assert latest.ciphertexts == tuple(rankings)


def test_no_mix_before_the_tally(voted: Scenario, tallied: Scenario) -> None:
    entry = tallied.mix_entry(2)
    refused(voted.fork().log, entry, LATER, "no_tally")


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda p: p.__setitem__(key, value)


def _first_output_replaced(p: dict[str, Any]) -> None:
    p["outputs"][0] = p["outputs"][1]


def _response_a_altered(p: dict[str, Any]) -> None:
    responses = p["proof"]["responses"]
    responses["a"] = _bump(responses["a"])


def _response_e_altered(p: dict[str, Any]) -> None:
    responses = p["proof"]["responses"]
    responses["e"][0] = _bump(responses["e"][0])


def _commitment_changed(p: dict[str, Any]) -> None:
    p["proof"]["permutation_commitment"][0] = G.to_hex()


MIX_REFUSALS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "next-number-skipped": (_set("mix", 1), "mix_out_of_order"),
    "not-ranked": (_set("contest", "nec-clp"), "not_ranked"),
    "unknown-contest": (_set("contest", "mayor"), "not_ranked"),
    "unknown-trustee": (_set("trustee", 9), "unknown_trustee"),
    "outputs-swapped": (_swap_outputs, "invalid_mix"),
    "output-replaced-by-an-input": (_first_output_replaced, "invalid_mix"),
    "response-a-altered": (_response_a_altered, "invalid_mix"),
    "response-e-altered": (_response_e_altered, "invalid_mix"),
    "permutation-commitment-changed": (_commitment_changed, "invalid_mix"),
}


@pytest.mark.parametrize("name", sorted(MIX_REFUSALS))
def test_a_bad_mix_is_refused_with_its_code(tallied: Scenario, name: str) -> None:
    change, code = MIX_REFUSALS[name]
    s = tallied.fork()
    refused(s.log, _changed(s.mix_entry(2), 2, change), LATER, code)
    assert s.log.state.tallying.lists["leader"].mixes == 0


def test_a_mix_is_bound_to_its_trustee_and_position(tallied: Scenario) -> None:
    s = tallied.fork()
    by_four = s.mix_entry(4)
    relabelled = _changed(by_four, 2, lambda p: p.__setitem__("trustee", 2))
    refused(s.log, relabelled, LATER, "invalid_mix")  # the context names trustee 4
    refused(s.log, signed("mix", by_four.payload, TRUSTEES[1], "trustee"), LATER, "wrong_author")
    first = s.mix_entry(2)
    s.log.post(first, LATER)
    refused(s.log, first, LATER, "mix_out_of_order")  # mix 0 again
    refused(s.log, by_four, LATER, "mix_out_of_order")  # made over list_0, now stale
    moved = _changed(by_four, 4, lambda p: p.__setitem__("mix", 1))
    refused(s.log, moved, LATER, "invalid_mix")  # its input is not the previous output
    again = _changed(first, 2, lambda p: p.__setitem__("mix", 1))
    refused(s.log, again, LATER, "duplicate_mix")
    s.log.post(s.mix_entry(4), LATER)
    assert s.log.state.tallying.lists["leader"].mixers == (2, 4)


def test_a_mix_of_the_wrong_size_does_not_parse(tallied: Scenario) -> None:
    s = tallied.fork()
    short = _changed(s.mix_entry(2), 2, lambda p: p["outputs"].pop())
    with pytest.raises(MalformedInput, match="outputs"):
        s.log.post(short, LATER)


def test_a_precheck_against_another_list_is_verified_again(tallied: Scenario) -> None:
    s = tallied.fork()
    entry = s.mix_entry(2)
    params = s.log.state.params
    good = precheck(params, entry)
    assert isinstance(good.payload, CheckedMix)
    stale = Prechecked(good.generation, CheckedMix(good.payload.mix, b"\x00" * 32))
    check(s.log.state, entry, index=len(s.log.entries), received=LATER, prechecked=stale)
    bad = _changed(entry, 2, _swap_outputs)
    forged = CheckedMix(Mix.from_json(bad.payload, size=len(RANKINGS)), b"\x00" * 32)
    with pytest.raises(Refusal) as info:
        check(
            s.log.state,
            bad,
            index=len(s.log.entries),
            received=LATER,
            prechecked=Prechecked(good.generation, forged),
        )
    assert info.value.code == "invalid_mix"


# --- ranked decryption -----------------------------------------------------------------------


def test_decryption_needs_t_mixes_and_names_the_last(tallied: Scenario, mixed: Scenario) -> None:
    entry = mixed.ranked_decryption_entry(2)
    two = tallied.fork()
    for j in (4, 5):
        two.log.post(two.mix_entry(j), LATER)
    refused(two.log, entry, LATER, "not_enough_mixes")
    refused(tallied.fork().log, entry, LATER, "not_enough_mixes")
    s = mixed.fork()
    old = _changed(entry, 2, lambda p: p.__setitem__("mix", "00" * 32))
    refused(s.log, old, LATER, "wrong_mix")


def _share_altered(p: dict[str, Any]) -> None:
    p["decryption"]["decryption_shares"][0] = G.to_hex()


def _shares_reversed(p: dict[str, Any]) -> None:
    p["decryption"]["decryption_shares"].reverse()


def _decryption_response_altered(p: dict[str, Any]) -> None:
    proof = p["decryption"]["proof"]
    proof["response"] = _bump(proof["response"])


DECRYPTION_REFUSALS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "share-altered": (_share_altered, "invalid_decryption"),
    "shares-swapped": (_shares_reversed, "invalid_decryption"),
    "response-altered": (_decryption_response_altered, "invalid_decryption"),
    "not-ranked": (_set("contest", "nec-clp"), "not_ranked"),
}


@pytest.mark.parametrize("name", sorted(DECRYPTION_REFUSALS))
def test_a_bad_ranked_decryption_is_refused(mixed: Scenario, name: str) -> None:
    change, code = DECRYPTION_REFUSALS[name]
    s = mixed.fork()
    refused(s.log, _changed(s.ranked_decryption_entry(2), 2, change), LATER, code)


def test_a_reparsed_decryption_is_not_verified_again_over_the_list_it_names(
    mixed: Scenario,
) -> None:
    """The board's writer reparses (``verify=False``) a ranked decryption a worker prechecked
    in full over the list it names: the proof is not checked again (here a bad one passes, as
    only a worker's full precheck lets an entry reach the writer), the conditions are."""
    s = mixed.fork()
    params = s.log.state.params
    entry = s.ranked_decryption_entry(2)
    bad = _changed(entry, 2, _share_altered)
    refused(s.fork().log, bad, LATER, "invalid_decryption")
    reparsed = precheck(params, bad, verify=False)
    assert isinstance(reparsed.payload, CheckedDecryption)
    assert reparsed.payload.source == s.log.state.tallying.lists["leader"].source
    index = len(s.log.entries)
    check(s.log.state, bad, index=index, received=LATER, prechecked=reparsed)
    s.log.post(entry, LATER)
    with pytest.raises(Refusal) as info:
        check(s.log.state, entry, index=index + 1, received=LATER,
              prechecked=precheck(params, entry, verify=False))  # fmt: skip
    assert info.value.code == "duplicate_decryption"
    stale = _changed(s.ranked_decryption_entry(4), 4, lambda p: p.__setitem__("mix", "00" * 32))
    with pytest.raises(Refusal) as info:
        check(s.log.state, stale, index=index + 1, received=LATER,
              prechecked=precheck(params, stale, verify=False))  # fmt: skip
    assert info.value.code == "wrong_mix"


def test_the_first_decryption_closes_the_mixing(mixed: Scenario) -> None:
    s = mixed.fork()
    late_mix = s.mix_entry(1)
    entry = s.ranked_decryption_entry(2)
    refused(s.log, signed(entry.type, entry.payload, TRUSTEES[3], "trustee"), LATER, "wrong_author")
    s.log.post(entry, LATER)
    refused(s.log, entry, LATER, "duplicate_decryption")
    refused(s.log, late_mix, LATER, "mixing_closed")


def test_more_than_t_mixes_and_any_t_decrypting_trustees(tallied: Scenario) -> None:
    s = tallied.fork()
    for j in (5, 1, 4, 2):
        s.log.post(s.mix_entry(j), LATER)
    for j in (4, 1, 5):
        s.log.post(s.ranked_decryption_entry(j), LATER)
    result = s.result_entry()
    leader = result.payload["contests"][3]
    assert leader["trustees"] == [1, 4, 5]
    s.log.post(result, LATER)


# --- the result ------------------------------------------------------------------------------


def _leader(p: dict[str, Any]) -> dict[str, Any]:
    return p["contests"][3]  # type: ignore[no-any-return]


def _swap_papers(p: dict[str, Any]) -> None:
    papers = _leader(p)["papers"]
    i = next(k for k in range(1, len(papers)) if papers[k] != papers[0])
    papers[0], papers[i] = papers[i], papers[0]


def _first_valid(p: dict[str, Any]) -> int:
    return next(i for i, x in enumerate(_leader(p)["papers"]) if x in ("000102", "0100", "02"))


def _paper_set(value: str | None) -> Callable[[dict[str, Any]], None]:
    return lambda p: _leader(p)["papers"].__setitem__(_first_valid(p), value)


def _leader_set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    return lambda p: _leader(p).__setitem__(key, value)


def _stage_total_changed(p: dict[str, Any]) -> None:
    _leader(p)["count"]["stages"][0]["totals"]["lea"] = "9"


def _invalid_count_hidden(p: dict[str, Any]) -> None:
    _leader(p)["count"]["invalid_ballots"] = 0


RESULT_REFUSALS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "papers-swapped": (_swap_papers, "paper"),
    "paper-rewritten": (_paper_set("0001"), "paper"),
    "paper-hidden-as-null": (_paper_set(None), "decrypts to a ranking"),
    "trustees-other": (_leader_set("trustees", [1, 2, 4]), "decrypted by trustees"),
    "elected-other": (_leader_set("elected", ["noa"]), "elected"),
    "stage-total-changed": (_stage_total_changed, "count record: stage 1"),
    "invalid-count-hidden": (_invalid_count_hidden, "invalid_ballots"),
    "count-withheld": (_leader_set("count", None), "count record is missing"),
}


@pytest.mark.parametrize("name", sorted(RESULT_REFUSALS))
def test_a_wrong_ranked_result_is_refused(decrypted: Scenario, name: str) -> None:
    change, reason = RESULT_REFUSALS[name]
    s = decrypted.fork()
    payload = copy.deepcopy(dict(s.result_entry().payload))
    change(payload)
    error = refused(s.log, admin("result", payload), LATER, "result_mismatch")
    assert reason in str(error)


def test_a_reparsed_result_is_recomputed_only_if_the_log_has_other_inputs(
    decrypted: Scenario,
) -> None:
    """The board's writer reparses (``verify=False``) a result a worker prechecked in full:
    it is not recomputed when it names the tally and decrypting trustees the log has (here a
    wrong paper passes, as only a worker's full precheck lets an entry reach the writer), and
    recomputed, hence refused, when the log has other inputs."""
    s = decrypted.fork()
    payload = copy.deepcopy(dict(s.result_entry().payload))
    _swap_papers(payload)
    wrong = admin("result", payload)
    refused(s.fork().log, wrong, LATER, "result_mismatch")
    reparsed = precheck(s.log.state.params, wrong, verify=False)
    assert isinstance(reparsed.payload, CheckedResult)
    index = len(s.log.entries)
    check(s.log.state, wrong, index=index, received=LATER, prechecked=reparsed)
    payload["contests"][3]["trustees"] = [1, 2, 4]
    other = admin("result", payload)
    with pytest.raises(Refusal) as info:
        check(s.log.state, other, index=index, received=LATER,
              prechecked=precheck(s.log.state.params, other, verify=False))  # fmt: skip
    assert info.value.code == "result_mismatch"


def test_the_seed_covers_the_ranked_plaintexts(decrypted: Scenario) -> None:
    from election.admin import result
    from election.wire import result_seed

    s = decrypted.fork()
    outcome = result(s.log.state)
    tally_hash = s.log.state.tallying.tally_hash
    assert outcome.seed != result_seed(tally_hash, [])
    payload = copy.deepcopy(dict(s.result_entry().payload))
    payload["seed"] = "00" * 32
    refused(s.log, admin("result", payload), LATER, "result_mismatch")


def test_the_papers_show_the_invalid_ones_and_the_count_sets_them_aside(
    mixed: Scenario, decrypted: Scenario
) -> None:
    s = decrypted.fork()
    entry = s.result_entry()
    leader = entry.payload["contests"][3]
    assert sorted(leader["papers"], key=str) == sorted(
        ["000102", "0100", "ff", "02", "0202", None], key=str
    )
    assert leader["count"]["valid_ballots"] == 3
    assert leader["count"]["invalid_ballots"] == 3
    assert leader["count"]["method"] == "irv"
    assert leader["elected"] == leader["count"]["elected"]
    s.log.post(entry, LATER)
    refused(s.log, mixed.fork().mix_entry(1), LATER, "result_exists")
    refused(s.log, decrypted.fork().ranked_decryption_entry(1), LATER, "result_exists")


def test_no_result_without_t_ranked_decryptions(mixed: Scenario, decrypted: Scenario) -> None:
    entry = decrypted.result_entry()
    s = mixed.fork()
    for j in (2, 4):
        s.log.post(s.ranked_decryption_entry(j), LATER)
    error = refused(s.log, entry, LATER, "not_enough_decryptions")
    assert "ranked decryption" in str(error)
