"""Spec §11.3, §11.8, §11.9, §11.12 The stateless checks of the wire formats: every cast
ballot's proofs, tampered proofs, the credential scheme, audits, ballot styles, and the
result's seed."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from crypto import canonical
from crypto.envelope import Entry
from crypto.errors import InvalidProof, InvalidSignature, MalformedInput
from crypto.group import G, Point
from election.wire import (
    Audit,
    Ballot,
    CredentialScheme,
    Result,
    check_style,
    result_seed,
    verify_audit,
    verify_ballot,
)
from tests.election.scenario import DEFINITION, STYLE_YOUTH, Posted, Scenario
from tests.election.wire_tools import (
    IDENTITY_HEX,
    edit_contest0,
    edit_opening0,
    entries_of,
    layout_of,
    tally_of,
    whole_election,
)


@pytest.fixture(scope="module")
def election() -> Scenario:
    return whole_election()


# --- stateless proof checks ------------------------------------------------------------------


def _ballot_entry(s: Scenario) -> tuple[Posted | Entry, Ballot]:
    entry = entries_of(s, "ballot")[0]
    return entry, Ballot.from_json(entry.payload, layout_of(s))


def _verify(
    s: Scenario, ballot: Ballot, credential: Point, fingerprint: bytes | None = None
) -> None:
    assert s.public_key is not None
    verify_ballot(
        ballot,
        credential=credential,
        fingerprint=fingerprint or DEFINITION.fingerprint,
        public_key=s.public_key,
        layout=layout_of(s),
    )


def test_every_cast_ballot_verifies(election: Scenario) -> None:
    for entry in entries_of(election, "ballot"):
        ballot = Ballot.from_json(entry.payload, layout_of(election))
        _verify(election, ballot, Point.from_bytes(entry.key))


PROOF_MUTATIONS: dict[str, Callable[[Any], Any]] = {
    "response-plus-1": lambda p: edit_contest0(p, proofs=lambda ps: [_bump(ps[0]), *ps[1:]]),
    "total-response-plus-1": lambda p: edit_contest0(p, total=_bump),
    "swapped-alpha-beta": lambda p: edit_contest0(
        p, selections=lambda s: [{"alpha": s[0]["beta"], "beta": s[0]["alpha"]}, *s[1:]]
    ),
    "swapped-selections": lambda p: edit_contest0(p, selections=lambda s: [s[1], s[0], *s[2:]]),
    "identity-alpha": lambda p: edit_contest0(
        p, selections=lambda s: [{**s[0], "alpha": IDENTITY_HEX}, *s[1:]]
    ),
    "ranking-response-plus-1": lambda p: {
        **p,
        "contests": [
            p["contests"][0],
            {**p["contests"][1], "proof": _bump_pair(p["contests"][1]["proof"])},
            p["contests"][2],
        ],
    },
}


def _bump_pair(pair: Any) -> Any:
    value = (int(pair["response"], 16) + 1).to_bytes(32, "big").hex()
    return {**pair, "response": value}


def _bump(proof: Any) -> Any:
    return {"branches": [_bump_pair(proof["branches"][0]), *proof["branches"][1:]]}


# The proof, and the step of it, that refuses each mutation.
PROOF_REFUSED_FOR = {
    "response-plus-1": "contest nec-clp: option 0: range proof: branch 0: A is not",
    "total-response-plus-1": "contest nec-clp: total: sum proof: branch 0: A is not",
    "swapped-alpha-beta": "contest nec-clp: option 0: range proof: challenges do not sum",
    "swapped-selections": "contest nec-clp: option 0: range proof: challenges do not sum",
    "identity-alpha": "option 0: range proof: ciphertext alpha: statement contains the identity",
    "ranking-response-plus-1": "contest leader: ranking: randomness proof: challenge does not",
}


@pytest.mark.parametrize("name", sorted(PROOF_MUTATIONS))
def test_tampered_proofs_do_not_verify(election: Scenario, name: str) -> None:
    entry, _ = _ballot_entry(election)
    payload = PROOF_MUTATIONS[name](copy.deepcopy(dict(entry.payload)))
    ballot = Ballot.from_json(payload, layout_of(election))
    with pytest.raises(InvalidProof, match=PROOF_REFUSED_FOR[name]):
        _verify(election, ballot, Point.from_bytes(entry.key))


def test_a_ballot_does_not_verify_under_another_credential_or_election(election: Scenario) -> None:
    entry, ballot = _ballot_entry(election)
    other = election.members[1].key.public
    assert other.to_bytes() != entry.key
    # The credential and the election are in every proof's statement: the first proof fails.
    first = "contest nec-clp: option 0: range proof: challenges do not sum to the hash"
    with pytest.raises(InvalidProof, match=first):
        _verify(election, ballot, other)
    with pytest.raises(InvalidProof, match=first):
        _verify(election, ballot, Point.from_bytes(entry.key), fingerprint=bytes(32))


def test_credential_scheme(election: Scenario) -> None:
    entry = entries_of(election, "ballot")[0]
    obj = canonical.decode(entry.raw)
    assert isinstance(obj, dict)
    signature_hex = obj.pop("signature")
    assert isinstance(signature_hex, str)
    signature = bytes.fromhex(signature_hex)
    message = canonical.encode(obj)
    CredentialScheme(DEFINITION.fingerprint).verify(entry.key, message, signature)
    challenge = "credential signature: challenge does not match the statement"
    for scheme, sig, msg, reason in [
        (CredentialScheme(DEFINITION.fingerprint), signature[:-1] + b"\x00", message, challenge),
        (CredentialScheme(DEFINITION.fingerprint), signature, message + b" ", challenge),
        (CredentialScheme(bytes(32)), signature, message, challenge),
        (CredentialScheme(None), signature, message, "no election definition yet"),
        (
            CredentialScheme(DEFINITION.fingerprint),
            b"\xff" * 64,
            message,
            "credential signature: c or s out of range",
        ),
    ]:
        with pytest.raises(InvalidSignature, match=reason):
            scheme.verify(entry.key, msg, sig)
    with pytest.raises(MalformedInput, match="voter key: the identity is not a credential"):
        CredentialScheme(DEFINITION.fingerprint).verify(bytes(33), message, signature)


def _audit(s: Scenario) -> tuple[Posted | Entry, Any]:
    entry = entries_of(s, "audit")[0]
    return entry, copy.deepcopy(dict(entry.payload))


def _verify_audit(s: Scenario, payload: Any, author: bytes, election: str = "nec-2027") -> None:
    assert s.public_key is not None
    verify_audit(
        Audit.from_json(payload, layout_of(s)),
        election=election,
        author=Point.from_bytes(author),
        fingerprint=DEFINITION.fingerprint,
        public_key=s.public_key,
        layout=layout_of(s),
    )


def test_audit_opens_to_its_choices(election: Scenario) -> None:
    entry, payload = _audit(election)
    _verify_audit(election, payload, entry.key)
    with pytest.raises(MalformedInput, match="audit: the ballot is signed by another credential"):
        _verify_audit(election, payload, election.members[0].key.public.to_bytes())
    with pytest.raises(MalformedInput, match="audit: the ballot is for election 'nec-2027'"):
        _verify_audit(election, payload, entry.key, election="other")


@pytest.mark.parametrize(
    ("name", "mutate", "error", "reason"),
    [
        (
            "flipped-choice",
            lambda p: edit_opening0(p, choices=lambda c: [1 - c[0], *c[1:]]),
            InvalidProof,
            "audit: contest nec-clp: option 0 does not re-encrypt from its opening",
        ),
        (
            "other-randomness",
            lambda p: edit_opening0(p, randomness=lambda r: [r[1], r[0], *r[2:]]),
            InvalidProof,
            "audit: contest nec-clp: option 0 does not re-encrypt from its opening",
        ),
        (
            "ranking-changed",
            lambda p: {
                **p,
                "openings": [
                    p["openings"][0],
                    {**p["openings"][1], "ranking": [0, 1]},
                    p["openings"][2],
                ],
            },
            InvalidProof,
            "audit: contest leader: ranking does not re-encrypt from its opening",
        ),
        (
            "inner-signature",
            lambda p: {**p, "ballot": {**p["ballot"], "signature": "00" * 64}},
            InvalidSignature,
            "credential signature: challenge does not match the statement",
        ),
    ],
)
def test_audit_mutations_fail(
    election: Scenario,
    name: str,
    mutate: Callable[[Any], Any],
    error: type[Exception],
    reason: str,
) -> None:
    entry, payload = _audit(election)
    with pytest.raises(error, match=reason):
        _verify_audit(election, mutate(payload), entry.key)


def test_styles_the_definition_can_produce() -> None:
    assert check_style(DEFINITION, STYLE_YOUTH) == (
        "nec-clp",
        "youth-rep",
        "leader",
        "rule-change-1",
    )
    assert check_style(DEFINITION, "nec-clp+youth-rep+bame-rep+leader+rule-change-1")
    for style, reason in [
        ("nec-clp+leader", "lacks rule-change-1, open to all"),
        ("leader+nec-clp+rule-change-1", "contests not in definition order"),
        ("nec-clp+nec-clp+leader+rule-change-1", "unknown or repeated contest"),
        ("nec-clp+mayor+leader+rule-change-1", "unknown or repeated contest"),
    ]:
        with pytest.raises(MalformedInput, match=reason):
            check_style(DEFINITION, style)


def test_a_style_no_member_can_have_is_refused() -> None:
    text = DEFINITION.to_json()
    text["contests"][1]["sections"] = ["youth", "bame"]  # youth-rep: youth or bame members
    from election.definition import ElectionDefinition

    definition = ElectionDefinition.from_json(text)
    # bame members see youth-rep too, so bame-rep without youth-rep is impossible
    with pytest.raises(MalformedInput, match="no member can have exactly it"):
        check_style(definition, "nec-clp+bame-rep+leader+rule-change-1")
    assert check_style(definition, "nec-clp+youth-rep+bame-rep+leader+rule-change-1")


def test_result_seed_binds_the_tally_and_every_combined_point() -> None:
    points = [G, G * G, G * G * G]
    seed = result_seed(bytes(32), points)
    assert len(seed) == 32
    assert result_seed(bytes(32), points) == seed
    assert result_seed(bytes(31) + b"\x01", points) != seed
    assert result_seed(bytes(32), points[:2]) != seed
    assert result_seed(bytes(32), [points[1], points[0], points[2]]) != seed
    with pytest.raises(MalformedInput, match="result seed: the tally hash must be 32 bytes"):
        result_seed(bytes(31), points)


def test_the_result_on_the_log_carries_the_unpredictable_seed(election: Scenario) -> None:
    payload = entries_of(election, "result")[0].payload
    result = Result.from_json(payload, layout_of(election), ranked=tally_of(election).ranked())
    tally_hash = election.log.state.tallying.tally_hash
    assert result.seed != tally_hash
