"""Spec §11.8, §6.7 Ballots prechecked together (their range and sum proofs in one batch
verification) get exactly what each gets alone: the valid pass, and each refused ballot its own
code and message, whatever else is in the batch."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from crypto.errors import MalformedInput
from election.rules import LoggedEntry, Prechecked, Refusal, precheck, precheck_many
from election.rules._voting import BATCH_FROM
from tests.election.scenario import Posted, Scenario, voter


@pytest.fixture(scope="module")
def ready() -> Scenario:
    s = Scenario()
    s.define()
    s.nominate()
    s.candidate_lists()
    s.ceremony()
    s.issue()
    return s


def _flip(value: str) -> str:
    return (int(value, 16) ^ 1).to_bytes(32, "big").hex()


def _tampered(s: Scenario, member: int, change: Any) -> Posted:
    m = s.members[member]
    payload = copy.deepcopy(dict(s.ballot(m).payload))
    change(payload["contests"])
    return voter("ballot", payload, m.key)


def _alone(s: Scenario, entry: LoggedEntry) -> Prechecked | Refusal | MalformedInput:
    try:
        return precheck(s.log.state.params, entry)
    except (Refusal, MalformedInput) as exc:
        return exc


def _same(together: object, alone: object) -> None:
    if isinstance(alone, Prechecked):
        assert isinstance(together, Prechecked), together
        assert together.generation == alone.generation
        assert together.payload == alone.payload
    else:
        assert type(together) is type(alone), (together, alone)
        assert str(together) == str(alone)
        assert getattr(together, "code", None) == getattr(alone, "code", None)


def _ranked(contests: list[Any]) -> dict[str, Any]:
    return next(c for c in contests if "proof" in c)


def _homomorphic(contests: list[Any]) -> dict[str, Any]:
    return next(c for c in contests if "proofs" in c and c.get("total") is not None)


def test_each_ballot_of_a_batch_gets_its_own_outcome(ready: Scenario) -> None:
    s = ready
    a, b = s.members[0], s.members[1]

    def option(contests: list[Any]) -> None:
        branch = _homomorphic(contests)["proofs"][0]["branches"][0]
        branch["response"] = _flip(branch["response"])

    def total(contests: list[Any]) -> None:
        _homomorphic(contests)["total"]["branches"][0]["response"] = "00" * 32

    def ranking(contests: list[Any]) -> None:
        proof = _ranked(contests)["proof"]
        key = next(k for k, v in proof.items() if isinstance(v, str) and len(v) == 64)
        proof[key] = _flip(proof[key])

    def commitment(contests: list[Any]) -> None:  # refused before any exponentiation
        _homomorphic(contests)["proofs"][1]["branches"][1]["a"] = "02" + "ff" * 32

    copied = voter("ballot", dict(s.ballot(a).payload), b.key)  # proofs bound to a's credential
    unparsable = voter("ballot", {"style": "nobody", "paper": "00", "contests": []}, a.key)
    entries: list[LoggedEntry] = [
        s.ballot(a),
        _tampered(s, 1, option),
        s.ballot(b),
        _tampered(s, 2, total),
        copied,
        _tampered(s, 3, ranking),
        unparsable,
        _tampered(s, 0, commitment),
        s.ballot(s.members[2]),
    ]
    together = precheck_many(s.log.state.params, entries)
    assert len(together) == len(entries)
    outcomes = [_alone(s, entry) for entry in entries]
    codes = [getattr(o, "code", "ok") if isinstance(o, Refusal) else type(o).__name__
             for o in outcomes]  # fmt: skip
    assert codes == [
        "Prechecked", "invalid_proof", "Prechecked", "invalid_proof", "invalid_proof",
        "invalid_proof", "MalformedInput", "invalid_proof", "Prechecked",
    ]  # fmt: skip
    for mine, alone in zip(together, outcomes, strict=True):
        _same(mine, alone)


@pytest.mark.parametrize("count", [1, BATCH_FROM - 1, BATCH_FROM, 2 * BATCH_FROM])
def test_a_batch_of_valid_ballots_passes_whole(ready: Scenario, count: int) -> None:
    """Below ``BATCH_FROM`` ballots are verified one by one, from it in one batch: alike."""
    s = ready
    entries: list[LoggedEntry] = [s.ballot(s.members[i % len(s.members)]) for i in range(count)]
    together = precheck_many(s.log.state.params, entries)
    for mine, entry in zip(together, entries, strict=True):
        _same(mine, _alone(s, entry))


def test_a_small_batch_refuses_as_alone(ready: Scenario) -> None:
    s = ready
    copied = voter("ballot", dict(s.ballot(s.members[0]).payload), s.members[1].key)
    entries: list[LoggedEntry] = [s.ballot(s.members[0]), copied]
    together = precheck_many(s.log.state.params, entries)
    for mine, entry in zip(together, entries, strict=True):
        _same(mine, _alone(s, entry))
    assert isinstance(together[1], Refusal)
    assert together[1].code == "invalid_proof"


def test_before_the_key_every_ballot_is_refused_alike(ready: Scenario) -> None:
    s = Scenario()
    s.define()
    ballot = ready.ballot(ready.members[0])
    outcomes = precheck_many(s.log.state.params, [ballot, ballot])
    assert [o.code for o in outcomes if isinstance(o, Refusal)] == ["voting_not_ready"] * 2
