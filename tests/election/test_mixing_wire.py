"""Spec §11.11-§11.12 The mixing payloads' wire forms: a mix, a ranked decryption and a ranked
contest's part of the result parse back to themselves, take their sizes from the statement
(N_c), and refuse each named mutation for its reason; the contexts are the spec's bytes."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from crypto.errors import MalformedInput, NonCanonicalEncoding
from crypto.hashing import Dst, encode_parts
from election.wire import (
    Mix,
    RankedContestResult,
    RankedDecryption,
    mix_context,
    payload_contest,
    ranked_decryption_context,
)
from tests.election.scenario import DEFINITION, Scenario

N = 4  # the scenario's leader contest: four counted ballots


@pytest.fixture(scope="module")
def election() -> Scenario:
    scenario = Scenario()
    scenario.run()
    return scenario


def _payload(s: Scenario, type: str, nth: int = 0) -> dict[str, Any]:
    entries = [e for e, _ in s.log.entries[1:] if e is not None and e.type == type]
    return copy.deepcopy(dict(entries[nth].payload))


def _leader(s: Scenario) -> dict[str, Any]:
    contest: dict[str, Any] = _payload(s, "result")["contests"][3]
    return contest


def test_the_payloads_parse_back_to_themselves(election: Scenario) -> None:
    mix = _payload(election, "mix")
    assert Mix.from_json(mix, size=N).to_json() == mix
    without = Mix.from_json(mix, size=N, with_proof=False)
    assert without.proof is None
    assert without.outputs == Mix.from_json(mix, size=N).outputs
    decryption = _payload(election, "ranked-decryption")
    assert RankedDecryption.from_json(decryption, size=N).to_json() == decryption
    leader = _leader(election)
    parsed = RankedContestResult.from_json(leader, contest="leader", size=N)
    assert parsed.to_json() == leader
    assert parsed.papers == (bytes([1, 0]),) * N
    assert payload_contest(mix, "mix") == "leader"


def test_the_contexts_are_the_spec_bytes() -> None:
    f = DEFINITION.fingerprint
    assert mix_context(f, "leader", 2, 5) == encode_parts(
        b"verivote-1/mix/context", f, b"leader", (2).to_bytes(4, "big"), (5).to_bytes(4, "big")
    )
    assert Dst.MIX_CONTEXT == b"verivote-1/mix/context"
    h = bytes(range(32))
    assert ranked_decryption_context(f, "leader", h) == encode_parts(
        b"verivote-1/mix/decryption", f, b"leader", h
    )
    assert mix_context(f, "leader", 0, 1) != mix_context(f, "leader", 0, 2)
    assert mix_context(f, "leader", 0, 1) != mix_context(f, "leader", 1, 1)


Mutation = tuple[str, str, Callable[[dict[str, Any]], Any], type[Exception], str]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], Any]:
    def change(p: dict[str, Any]) -> Any:
        *parents, last = path.split(".")
        target: Any = p
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
        return p

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], Any]:
    def change(p: dict[str, Any]) -> Any:
        *parents, last = path.split(".")
        target: Any = p
        for key in parents:
            target = target[key]
        target[last].pop()
        return p

    return change


MUTATIONS: list[Mutation] = [
    ("mix", "output-dropped", _drop("outputs"), MalformedInput, "3 outputs for 4"),
    ("mix", "proof-chain-short", _drop("proof.chain"), MalformedInput, "expected 4"),
    ("mix", "output-upper-case", _set("outputs.0.alpha", "02" + "AB" * 32),
     NonCanonicalEncoding, "lower-case"),
    ("mix", "output-uncompressed", _set("outputs.0.alpha", "04" + "00" * 32),
     MalformedInput, "prefix"),
    ("mix", "output-off-curve", _set("outputs.0.beta", "02" + "00" * 31 + "05"),
     MalformedInput, "not on curve"),
    ("mix", "negative-number", _set("mix", -1), MalformedInput, "mix number"),
    ("mix", "trustee-zero", _set("trustee", 0), MalformedInput, "mix trustee"),
    ("mix", "response-above-n", _set("proof.responses.a", "ff" * 32), MalformedInput,
     "out of range"),
    ("mix", "extra-field", _set("extra", 1), MalformedInput, "unknown field"),
    ("ranked-decryption", "share-dropped", _drop("decryption.decryption_shares"),
     MalformedInput, "expected 4 decryption shares"),
    ("ranked-decryption", "proof-null", _set("decryption.proof", None), MalformedInput,
     "a proof is required"),
    ("ranked-decryption", "mix-hash-short", _set("mix", "00" * 31), MalformedInput, "mix"),
    ("ranked-decryption", "share-off-curve", _set("decryption.decryption_shares.0",
     "02" + "00" * 31 + "05"), MalformedInput, "not on curve"),
]  # fmt: skip

RESULT_MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], Any], type[Exception], str]] = [
    ("paper-upper-case", _set("papers.0", "0A00"), NonCanonicalEncoding, "lower-case"),
    ("paper-odd-length", _set("papers.0", "010"), MalformedInput, "hex"),
    ("paper-too-long", _set("papers.0", "00" * 30), MalformedInput, "29 bytes"),
    ("paper-a-number", _set("papers.0", 1), MalformedInput, "papers"),
    ("papers-one-short", _drop("papers"), MalformedInput, "3 papers for 4"),
    ("trustees-unsorted", _set("trustees", [4, 2, 5]), MalformedInput, "strictly increasing"),
    ("count-a-list", _set("count", []), MalformedInput, "JSON object"),
    ("other-contest", _set("contest", "mayor"), MalformedInput, "names contest"),
]


@pytest.mark.parametrize(
    ("type", "name", "change", "error", "reason"), MUTATIONS, ids=[m[1] for m in MUTATIONS]
)
def test_a_mutated_payload_is_refused_for_its_reason(
    election: Scenario,
    type: str,
    name: str,
    change: Callable[[dict[str, Any]], Any],
    error: type[Exception],
    reason: str,
) -> None:
    payload = change(_payload(election, type))
    parse = Mix.from_json if type == "mix" else RankedDecryption.from_json
    with pytest.raises(error, match=reason):
        parse(payload, size=N)


@pytest.mark.parametrize(
    ("name", "change", "error", "reason"), RESULT_MUTATIONS, ids=[m[0] for m in RESULT_MUTATIONS]
)
def test_a_mutated_ranked_result_is_refused_for_its_reason(
    election: Scenario,
    name: str,
    change: Callable[[dict[str, Any]], Any],
    error: type[Exception],
    reason: str,
) -> None:
    with pytest.raises(error, match=reason):
        RankedContestResult.from_json(change(_leader(election)), contest="leader", size=N)


def test_sizes_come_from_the_statement_never_the_payload(election: Scenario) -> None:
    with pytest.raises(MalformedInput, match="4 outputs for 5"):
        Mix.from_json(_payload(election, "mix"), size=5)
    with pytest.raises(MalformedInput, match="at most 3 items, got 4"):
        RankedDecryption.from_json(_payload(election, "ranked-decryption"), size=3)
    with pytest.raises(MalformedInput, match="4 papers for 5"):
        RankedContestResult.from_json(_leader(election), contest="leader", size=5)
    with pytest.raises(MalformedInput, match="naming its contest"):
        payload_contest({"mix": 0}, "mix payload")
