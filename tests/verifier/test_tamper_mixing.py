"""The tamper suite's mixing cases (spec §13.1 checks 9 and 10): a manipulated mix, ranked
decryption or ranked count, each caught by its check at its entry as the first failure. The
cases re-sign what they change and rebuild the log (tests/verifier/test_tamper.py explains)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crypto.elgamal import Ciphertext, encrypt_bytes
from crypto.envelope import entry_hash
from crypto.group import G, Scalar
from crypto.shuffle import ShuffleStatement, gen_shuffle_proof, shuffle
from election.trustee import decrypt_ranked
from election.wire import Mix, mix_context
from tests.election.scenario import ADMIN, STRANGER, TRUSTEES, trustee
from tests.verifier.election import Built, entry_of, export_bytes, resign, verify_bytes
from tests.verifier.test_tamper import (
    MIX,
    RANKED_DECRYPTION,
    RESULT,
    Case,
    _insert,
    _leaves,
    _replace,
)
from verifier._mixing import _check_mix_on_worker

CASES: dict[str, Callable[[Built], Case]] = {}
LEADER = 3  # the ranked contest's place in the result


def case(name: str) -> Callable[[Callable[[Built], Case]], Callable[[Built], Case]]:
    def register(f: Callable[[Built], Case]) -> Callable[[Built], Case]:
        CASES[name] = f
        return f

    return register


def _trustee_of(raw: bytes) -> int:
    key = bytes.fromhex(entry_of(raw)["author"]["key"])
    return next(j for j, k in enumerate(TRUSTEES, start=1) if k.verify_key.raw == key)


def _changed(built: Built, index: int, change: Callable[[dict[str, Any]], None]) -> Case:
    """The entry at ``index`` with its payload changed, re-signed by its author."""
    raw = built.leaves[index][0]
    key = ADMIN if index == RESULT else TRUSTEES[_trustee_of(raw) - 1]
    check = {MIX: 9, MIX + 1: 9, MIX + 2: 9}.get(index, 10)
    return Case(check, index, leaves=_replace(built, index, resign(raw, change, key)))


def _bump(value: str) -> str:
    return (Scalar.from_hex(value) + Scalar(1)).to_hex()


# --- check 9: mixes ----------------------------------------------------------------------------


def _swap(items: list[Any], i: int = 0, j: int = 1) -> None:
    items[i], items[j] = items[j], items[i]


@case("mix-outputs-swapped")
def _outputs_swapped(built: Built) -> Case:
    return _changed(built, MIX, lambda p: _swap(p["outputs"]))


@case("mix-output-replaced-by-a-stuffed-ballot")
def _stuffed(built: Built) -> Case:
    public_key = built.scenario.public_key
    assert public_key is not None
    stuffed, _ = encrypt_bytes(public_key, b"\x02\x01")
    return _changed(built, MIX, lambda p: p["outputs"].__setitem__(0, stuffed.to_json()))


@case("mix-output-dropped")
def _dropped(built: Built) -> Case:
    return _changed(built, MIX + 1, lambda p: p["outputs"].pop())


@case("mix-output-duplicated")
def _duplicated(built: Built) -> Case:
    return _changed(built, MIX, lambda p: p["outputs"].__setitem__(1, p["outputs"][0]))


@case("mix-response-altered")
def _response(built: Built) -> Case:
    def change(p: dict[str, Any]) -> None:
        responses = p["proof"]["responses"]
        responses["b"][0] = _bump(responses["b"][0])

    return _changed(built, MIX + 1, change)


@case("mix-proof-moved-from-another-mix")
def _moved_proof(built: Built) -> Case:
    other = entry_of(built.leaves[MIX + 1][0])["payload"]
    return _changed(built, MIX, lambda p: p.__setitem__("proof", copy.deepcopy(other["proof"])))


def _mix_over(built: Built, inputs: tuple[Ciphertext, ...], k: int, j: int) -> bytes:
    """Trustee j's honest mix number k of the leader contest over ``inputs``, signed."""
    params = built.scenario.log.state.params
    assert params is not None
    assert params.public_key is not None
    outputs, witness = shuffle(params.public_key, inputs)
    context = mix_context(params.fingerprint, "leader", k, j)
    statement = ShuffleStatement(params.public_key, inputs, outputs, context, context)
    mixed = Mix("leader", k, j, outputs, gen_shuffle_proof(statement, witness))
    return trustee("mix", mixed.to_json(), j).raw


@case("mix-input-not-the-previous-output")
def _other_input(built: Built) -> Case:
    # mix 1, honest and proven, but over mix 2's outputs instead of mix 0's
    later = Mix.from_json(entry_of(built.leaves[MIX + 2][0])["payload"], size=4).outputs
    raw = _mix_over(built, later, 1, _trustee_of(built.leaves[MIX + 1][0]))
    return Case(9, MIX + 1, leaves=_replace(built, MIX + 1, raw))


@case("mix-twice-by-one-trustee")
def _twice(built: Built) -> Case:
    def change(p: dict[str, Any]) -> None:
        p["trustee"] = _trustee_of(built.leaves[MIX][0])

    raw = resign(built.leaves[MIX + 1][0], change, TRUSTEES[_trustee_of(built.leaves[MIX][0]) - 1])
    return Case(9, MIX + 1, leaves=_replace(built, MIX + 1, raw))


@case("mix-signed-by-a-non-trustee")
def _stranger_mix(built: Built) -> Case:
    raw = resign(built.leaves[MIX][0], lambda p: None, STRANGER)
    return Case(9, MIX, leaves=_replace(built, MIX, raw))


@case("mix-after-the-decryption-began")
def _late_mix(built: Built) -> Case:
    latest = built.scenario.log.state.tallying.lists["leader"]
    raw = _mix_over(built, latest.ciphertexts, latest.mixes, 1)
    at = RANKED_DECRYPTION + 1
    return Case(9, at, leaves=_insert(built, at, raw, built.leaves[at][1]))


# --- check 10: ranked decryptions ------------------------------------------------------------


@case("ranked-decryption-share-altered")
def _share(built: Built) -> Case:
    def change(p: dict[str, Any]) -> None:
        p["decryption"]["decryption_shares"][0] = G.to_hex()

    return _changed(built, RANKED_DECRYPTION, change)


@case("ranked-decryption-of-an-earlier-mix")
def _earlier(built: Built) -> Case:
    first_mix = entry_hash(built.leaves[MIX][0]).hex()
    return _changed(built, RANKED_DECRYPTION, lambda p: p.__setitem__("mix", first_mix))


@case("ranked-decryption-twice-by-one-trustee")
def _decrypted_twice(built: Built) -> Case:
    j = _trustee_of(built.leaves[RANKED_DECRYPTION][0])
    again = decrypt_ranked(built.scenario.trustee_state(j), built.scenario.log.state, "leader")
    raw = resign(
        built.leaves[RANKED_DECRYPTION][0],
        lambda p: p.update(again.to_json()),
        TRUSTEES[j - 1],
    )
    at = RANKED_DECRYPTION + 1
    return Case(10, at, leaves=_insert(built, at, raw, built.leaves[at][1]))


@case("ranked-decryption-before-t-mixes")
def _too_early(built: Built) -> Case:
    leaves = _leaves(built)
    last_mix = leaves.pop(MIX + 2)
    leaves.insert(RANKED_DECRYPTION, (last_mix[0], leaves[RANKED_DECRYPTION - 1][1]))
    # mixes 0 and 1, then a decryption (of mix 2's outputs) with only two mixes on the log
    return Case(10, RANKED_DECRYPTION - 1, leaves=leaves)


# --- check 10: the ranked count in the result ----------------------------------------------------


def _leader(p: dict[str, Any]) -> dict[str, Any]:
    contest: dict[str, Any] = p["contests"][LEADER]
    return contest


@case("ranked-papers-swapped")
def _papers_swapped(built: Built) -> Case:
    def change(p: dict[str, Any]) -> None:
        papers = _leader(p)["papers"]
        other = next(k for k in range(1, len(papers)) if papers[k] != papers[0])
        _swap(papers, 0, other)

    return _changed(built, RESULT, change)


@case("ranked-paper-rewritten")
def _paper(built: Built) -> Case:
    return _changed(built, RESULT, lambda p: _leader(p)["papers"].__setitem__(0, "0201"))


@case("ranked-count-stage-altered")
def _stage(built: Built) -> Case:
    def change(p: dict[str, Any]) -> None:
        totals = _leader(p)["count"]["stages"][0]["totals"]
        first = sorted(totals)[0]
        totals[first] = str(int(totals[first]) + 1)

    return _changed(built, RESULT, change)


@case("ranked-winner-altered")
def _winner(built: Built) -> Case:
    def change(p: dict[str, Any]) -> None:
        leader = _leader(p)
        loser = next(c for c in leader["count"]["candidates"] if c not in leader["elected"])
        leader["elected"] = [loser]
        leader["count"]["elected"] = [loser]

    return _changed(built, RESULT, change)


@case("ranked-result-names-other-trustees")
def _other_trustees(built: Built) -> Case:
    return _changed(built, RESULT, lambda p: _leader(p).__setitem__("trustees", [1, 2, 3]))


@case("result-without-the-ranked-decryptions")
def _undecrypted(built: Built) -> Case:
    leaves = _leaves(built)
    del leaves[RANKED_DECRYPTION : RANKED_DECRYPTION + 3]
    return Case(10, RANKED_DECRYPTION, leaves=leaves)


@case("ranked-result-before-the-mixes")
def _early(built: Built) -> Case:
    leaves = _leaves(built)
    result = leaves.pop(RESULT)
    leaves.insert(MIX, (result[0], leaves[MIX][1]))
    return Case(10, MIX, leaves=leaves)


# --- the suite -----------------------------------------------------------------------------------


def test_the_mixing_suite_covers_mixes_decryptions_and_counts() -> None:
    names = set(CASES)
    assert sum(n.startswith("mix-") for n in names) >= 8
    assert sum(n.startswith("ranked-decryption") for n in names) >= 3
    assert sum(n.startswith(("ranked-paper", "ranked-count", "ranked-winner")) for n in names) >= 4


@pytest.mark.parametrize("name", sorted(CASES))
def test_mixing_tampering_is_caught(name: str, built: Built, tmp_path: Path) -> None:
    tampered = CASES[name](built)
    report = verify_bytes(export_bytes(tampered.leaves or []), tmp_path)
    findings = list(report.findings())
    assert not report.passed, f"{name}: the verifier found nothing"
    found = {(f.check, f.index) for f in findings}
    assert (tampered.check, tampered.index) in found, "\n".join(map(str, findings))
    first = min(f.index for f in findings if f.index is not None)
    assert first == tampered.index, "\n".join(map(str, findings))


# --- the proofs of the shuffles checked on the workers (spec §13) --------------------------------


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.startswith("mix-")))
def test_mixes_checked_on_the_workers_give_the_sequential_report(
    name: str, built: Built, tmp_path: Path
) -> None:
    """With two jobs each proof of a shuffle is checked on a worker while the reading goes on,
    the mix's list taken as if it held; a tampered mix makes the verifier replay the log with
    every check in turn, so the report is the one-job report, finding for finding."""
    data = export_bytes(CASES[name](built).leaves or [])
    alone = verify_bytes(data, tmp_path)
    deferred = verify_bytes(data, tmp_path, jobs=2)
    assert not alone.passed
    assert deferred.to_json() == alone.to_json()


def test_a_worker_checks_a_mix_from_its_bytes(built: Built) -> None:
    """What a worker is given for mix 1 (the inputs' encodings, the entry's bytes, the context):
    None for the genuine mix; for one with a response changed, the failing proof named."""
    params = built.scenario.log.state.params
    assert params is not None
    assert params.public_key is not None
    first = Mix.from_json(entry_of(built.leaves[MIX][0])["payload"], size=4).outputs
    inputs = b"".join(c.alpha.to_bytes() + c.beta.to_bytes() for c in first)
    raw = built.leaves[MIX + 1][0]
    context = mix_context(params.fingerprint, "leader", 1, _trustee_of(raw))
    assert _check_mix_on_worker(params.public_key, inputs, raw, context) is None
    tampered = _response(built).leaves
    assert tampered is not None
    reason = _check_mix_on_worker(params.public_key, inputs, tampered[MIX + 1][0], context)
    assert reason is not None
    assert "mix 1 of leader: proof of the shuffle" in reason
    other = mix_context(params.fingerprint, "leader", 2, _trustee_of(raw))
    assert _check_mix_on_worker(params.public_key, inputs, raw, other) is not None
