"""The tamper suite's key-ceremony deadline and participant cases (spec §7.1, §7.5, §11.4, §13.1
checks 3, 7 and 9; issue 16 item 6): what a dishonest board could append around a silent
trustee — a trustee key after ``trustee_keys_close``, a dealing after ``ceremony_close``, the
election key before it, a trustee with no key taking part, a trustee absent from the election
key confirming it, decrypting or mixing — each caught by its check at its entry, as the first
failure, with its reason.

Two elections of 3 trustees (t = 2) are built honestly by the election builder on a checked
MemoryBoard (tests/election/test_silent_trustee.py): in one trustee 3 never posts a key, in the
other trustee 2 posts a key and never deals (and runs to a result without it). A case inserts
or re-times entries in a copy of the honest leaves, signed with the real role keys, and the log
and its tree heads are rebuilt: what a board that checks nothing would publish."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crypto.threshold import deal
from election.wire import (
    DEALING,
    DECRYPTION,
    ELECTION_KEY,
    KEY_CONFIRMATION,
    MIX,
    SHARES_ACCEPTED,
    TALLY,
    TRUSTEE_KEY,
)
from simulation.boards import export_lines
from simulation.builder import ElectionBuilder
from simulation.choices import random_choices
from tests.election.test_silent_trustee import BOARD_KEY, _builder, _memory
from tests.verifier.election import Leaves, entry_of
from verifier import Report, verify_export_file


@dataclass
class Silent:
    """An honest election with a silent trustee: its builder (keys, trustees' secrets) and its
    leaves, leaf 0 included."""

    builder: ElectionBuilder
    leaves: Leaves

    def index(self, type: str, nth: int = 0) -> int:
        found = [i for i, (raw, _) in enumerate(self.leaves) if entry_of(raw)["type"] == type]
        return found[nth]

    def instant(self, name: str) -> int:
        return self.builder.state.instant(name)

    def trustee_entry(self, j: int, type: str, payload: dict[str, Any]) -> bytes:
        return self.builder.signed("trustee", type, payload, self.builder.keys.trustee(j))

    def insert(self, index: int, raw: bytes, received: int) -> Leaves:
        leaves = list(self.leaves)
        leaves.insert(index, (raw, received))
        return leaves

    def retime(self, index: int, received: int) -> Leaves:
        leaves = list(self.leaves)
        leaves[index] = (leaves[index][0], received)
        return leaves

    def as_trustee(self, index: int, j: int, change: Callable[[dict[str, Any]], None]) -> bytes:
        """The entry at ``index`` with its payload changed by ``change``, signed by trustee
        ``j``."""
        entry = entry_of(self.leaves[index][0])
        payload = entry["payload"]
        change(payload)
        return self.trustee_entry(j, entry["type"], payload)


@pytest.fixture(scope="module")
def no_key() -> Silent:
    """Trustee 3 never posts a key: 1 and 2 deal after ``trustee_keys_close`` and accept their
    shares, the election key comes at ``ceremony_close`` (3 absent, ``no-key``)."""
    builder = _builder()
    builder.ceremony(silent={3: "key"})
    return Silent(builder, _memory(builder).leaves(BOARD_KEY))


@pytest.fixture(scope="module")
def no_dealing() -> Silent:
    """Trustee 2 posts a key and never deals: the election key comes at ``ceremony_close`` (2
    absent, ``no-dealing``) and 1 and 3 confirm it, decrypt, mix and decrypt the ranked
    contest, to a result."""
    builder = _builder()
    builder.ceremony(silent={2: "dealing"})
    plan = builder.plan
    builder.issue(at=plan.at(plan.timetable.ceremony_closes) + 60_000)
    rng = random.Random(8)
    builder.vote_all([(m, random_choices(rng, builder.params, m.style)) for m in builder.members])
    builder.count()
    return Silent(builder, _memory(builder).leaves(BOARD_KEY))


@dataclass
class Case:
    """A manipulated log and the first failure expected: check, leaf and reason."""

    check: int
    index: int
    reason: str
    leaves: Leaves


Tamper = Callable[[Silent], Case]
NO_KEY: dict[str, Tamper] = {}
NO_DEALING: dict[str, Tamper] = {}


def case(suite: dict[str, Tamper], name: str) -> Callable[[Tamper], Tamper]:
    def register(f: Tamper) -> Tamper:
        suite[name] = f
        return f

    return register


# --- trustee 3 never posted a key ----------------------------------------------------------------


@case(NO_KEY, "trustee-key-after-trustee-keys-close")
def _late_key(s: Silent) -> Case:
    # Spec §11.4: trustee 3's key half a second after the keys closed, before anyone dealt.
    public = s.builder.trustees[3].key_pair.public
    at = s.index(DEALING)
    raw = s.trustee_entry(3, TRUSTEE_KEY, {"key": public.to_json()})
    leaves = s.insert(at, raw, s.instant("trustee_keys_close") + 500)
    return Case(3, at, "trustee 3's key came after trustee_keys_close", leaves)


@case(NO_KEY, "dealing-before-trustee-keys-close-with-a-key-missing")
def _early_dealing(s: Silent) -> Case:
    # Spec §11.4: with trustee 3's key missing, nobody deals before the keys close.
    at = s.index(DEALING)
    leaves = s.retime(at, s.instant("trustee_keys_close") - 1000)
    return Case(3, at, "a dealing before every trustee key and before the keys closed", leaves)


@case(NO_KEY, "dealing-by-a-trustee-with-no-key")
def _non_participant_dealing(s: Silent) -> Case:
    # Spec §7.1: trustee 3, with no key on the log, deals (against a key of its own it never
    # published) after the keys closed: it is not a participant.
    ceremony = s.builder.state.ceremony
    publics = [ceremony.trustee_keys[1], ceremony.trustee_keys[2]]
    publics.append(s.builder.trustees[3].key_pair.public)
    _, dealing = deal(s.builder.trustees[3].parameters, 3, publics)
    at = s.index(DEALING, 1) + 1
    raw = s.trustee_entry(3, DEALING, {"dealing": dealing.to_json()})
    leaves = s.insert(at, raw, s.leaves[at - 1][1])
    return Case(3, at, "trustee 3 has no trustee key: not a participant (§7.1)", leaves)


@case(NO_KEY, "shares-accepted-by-a-trustee-with-no-key")
def _non_participant_accepts(s: Silent) -> Case:
    at = s.index(SHARES_ACCEPTED)
    raw = s.trustee_entry(3, SHARES_ACCEPTED, {"trustee": 3})
    leaves = s.insert(at, raw, s.leaves[at][1])
    return Case(3, at, "trustee 3 has no trustee key: not a participant (§7.1)", leaves)


# --- trustee 2 posted a key and never dealt -------------------------------------------------------


@case(NO_DEALING, "dealing-after-ceremony-close")
def _late_dealing(s: Silent) -> Case:
    # Spec §11.4: trustee 2 deals after the ceremony closed, before the election key.
    ceremony = s.builder.state.ceremony
    publics = [ceremony.trustee_keys[i] for i in sorted(ceremony.trustee_keys)]
    _, dealing = deal(s.builder.trustees[2].parameters, 2, publics)
    at = s.index(ELECTION_KEY)
    raw = s.trustee_entry(2, DEALING, {"dealing": dealing.to_json()})
    leaves = s.insert(at, raw, s.instant("ceremony_close") + 500)
    return Case(3, at, "accepted after the key ceremony closed (ceremony_close, §11.4)", leaves)


@case(NO_DEALING, "election-key-before-ceremony-close")
def _early_key(s: Silent) -> Case:
    # Spec §11.4: trustee 2 has not finished, so the key waits for ceremony_close; the board
    # posts it (the very key the ceremony gives at the close) a second before.
    at = s.index(ELECTION_KEY)
    leaves = s.retime(at, s.instant("ceremony_close") - 1000)
    reason = "the election key came before every trustee finished and before ceremony_close"
    return Case(3, at, reason, leaves)


@case(NO_DEALING, "key-confirmation-by-an-absent-trustee")
def _absent_confirms(s: Silent) -> Case:
    # Spec §7.5: trustee 2, absent from the election key, confirms it (trustee 1's
    # confirmation, relabelled and signed by trustee 2).
    first = s.index(KEY_CONFIRMATION)
    raw = s.as_trustee(first, 2, lambda p: p["confirmation"].__setitem__("trustee", 2))
    at = s.index(KEY_CONFIRMATION, 1) + 1
    leaves = s.insert(at, raw, s.leaves[at - 1][1])
    return Case(3, at, "a key confirmation from absent trustee 2", leaves)


def _relabel_decryption(payload: dict[str, Any]) -> None:
    payload["trustee"] = 2
    for row in payload["shares"]:
        for share in row:
            if share is not None:
                share["trustee"] = 2


@case(NO_DEALING, "decryption-by-an-absent-trustee")
def _absent_decrypts(s: Silent) -> Case:
    # Spec §7.5: trustee 2 holds no key share; its "decryption" (trustee 1's, relabelled).
    at = s.index(TALLY) + 1
    raw = s.as_trustee(s.index(DECRYPTION), 2, _relabel_decryption)
    leaves = s.insert(at, raw, s.leaves[at][1])
    return Case(7, at, "trustee 2 is absent: it holds no key share (§7.5)", leaves)


@case(NO_DEALING, "mix-by-an-absent-trustee")
def _absent_mixes(s: Silent) -> Case:
    # Spec §7.5: trustee 2 mixes the ranked contest first (trustee 1's mix, relabelled).
    at = s.index(MIX)
    raw = s.as_trustee(at, 2, lambda p: p.__setitem__("trustee", 2))
    leaves = s.insert(at, raw, s.leaves[at][1])
    return Case(9, at, "trustee 2 is absent: it holds no key share (§7.5)", leaves)


# --- the suite ------------------------------------------------------------------------------------


def _verify(s: Silent, leaves: Leaves, folder: Path) -> Report:
    path = folder / "export.jsonl"
    path.write_bytes(b"".join(export_lines(s.builder.plan.election, leaves, BOARD_KEY, every=10)))
    return verify_export_file(path, jobs=1)


def test_the_honest_logs_verify(no_key: Silent, no_dealing: Silent, tmp_path: Path) -> None:
    """Each case's failure is the manipulation's: without it both logs pass."""
    for silent in (no_key, no_dealing):
        report = _verify(silent, silent.leaves, tmp_path)
        assert report.passed, "\n".join(report.lines())
    assert _verify(no_dealing, no_dealing.leaves, tmp_path).outcome == "result-verified"


@pytest.mark.parametrize(
    ("suite", "name"),
    [("no-key", name) for name in sorted(NO_KEY)]
    + [("no-dealing", name) for name in sorted(NO_DEALING)],
)
def test_ceremony_tampering_is_caught(
    suite: str, name: str, no_key: Silent, no_dealing: Silent, tmp_path: Path
) -> None:
    silent, tamper = (no_key, NO_KEY[name]) if suite == "no-key" else (no_dealing, NO_DEALING[name])
    tampered = tamper(silent)
    report = _verify(silent, tampered.leaves, tmp_path)
    findings = list(report.findings())
    assert not report.passed, f"{name}: the verifier found nothing"
    shown = "\n".join(map(str, findings))
    first = min(f.index for f in findings if f.index is not None)
    assert first == tampered.index, shown
    reasons = [f.message for f in findings if (f.check, f.index) == (tampered.check, first)]
    assert any(tampered.reason in m for m in reasons), shown
