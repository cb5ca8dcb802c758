"""Spec §11.4-§11.12 Every election payload: parse∘format = id on real entries, and strict
refusals (a named mutation table per payload type). The stateless checks of a ballot's and an
audit's proofs are tests/election/test_wire_proofs.py's."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from crypto import canonical
from crypto.errors import MalformedInput
from crypto.group import G
from election.wire import (
    Audit,
    Ballot,
    CandidateList,
    ComplaintPayload,
    CredentialReissue,
    CredentialsComplete,
    CredentialsPart,
    DealingPayload,
    Decision,
    Decryption,
    DefinitionPayload,
    ElectionKey,
    Exclusion,
    KeyConfirmationPayload,
    Mix,
    Nomination,
    RankedDecryption,
    Result,
    SharesAccepted,
    Tally,
    TimetableChange,
    TrusteeKeyPayload,
)
from tests.election.scenario import STYLE_ALL, Scenario
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


def _sizes(s: Scenario) -> Any:
    return tally_of(s).sizes()


def _ranked_size(s: Scenario) -> int:
    return tally_of(s).ranked()["leader"]


PARSERS: dict[str, Callable[[Any, Scenario], Any]] = {
    "election-definition": lambda p, s: DefinitionPayload.from_json(p),
    "nomination": lambda p, s: Nomination.from_json(p),
    "candidate-list": lambda p, s: CandidateList.from_json(p),
    "trustee-key": lambda p, s: TrusteeKeyPayload.from_json(p),
    "dealing": lambda p, s: DealingPayload.from_json(p),
    "complaint": lambda p, s: ComplaintPayload.from_json(p),
    "shares-accepted": lambda p, s: SharesAccepted.from_json(p),
    "election-key": lambda p, s: ElectionKey.from_json(p, s.params),
    "key-confirmation": lambda p, s: KeyConfirmationPayload.from_json(p),
    "credentials": lambda p, s: CredentialsPart.from_json(p),
    "credentials-complete": lambda p, s: CredentialsComplete.from_json(p),
    "ballot": lambda p, s: Ballot.from_json(p, layout_of(s)),
    "audit": lambda p, s: Audit.from_json(p, layout_of(s)),
    "tally": lambda p, s: Tally.from_json(p, layout_of(s)),
    "decryption": lambda p, s: Decryption.from_json(p, _sizes(s)),
    "mix": lambda p, s: Mix.from_json(p, size=_ranked_size(s)),
    "ranked-decryption": lambda p, s: RankedDecryption.from_json(p, size=_ranked_size(s)),
    "result": lambda p, s: Result.from_json(p, layout_of(s), ranked=tally_of(s).ranked()),
}

EXTRA: dict[str, dict[str, Any]] = {
    "timetable-change": {
        "field": "voting_close",
        "time": "2027-02-10T12:00:00Z",
        "reason": "Postal strike",
    },
    "exclusion": {"contest": "nec-clp", "nominee": "ben", "reason": "Withdrew"},
    "decision": {"subject": "Ballot design", "decision": "Random order", "reason": "Fairness"},
    "credential-reissue": {
        "style": STYLE_ALL,
        "revoked": G.to_hex(),
        "credential": (G * G).to_hex(),
        "reason": "Lost letter",
    },
}
EXTRA_PARSERS: dict[str, Callable[[Any], Any]] = {
    "timetable-change": TimetableChange.from_json,
    "exclusion": Exclusion.from_json,
    "decision": Decision.from_json,
    "credential-reissue": CredentialReissue.from_json,
}


def _payload(s: Scenario, type: str) -> dict[str, Any]:
    if type in EXTRA:
        return copy.deepcopy(EXTRA[type])
    return copy.deepcopy(dict(entries_of(s, type)[0].payload))


def _parse(s: Scenario, type: str, payload: Any) -> Any:
    if type in EXTRA_PARSERS:
        return EXTRA_PARSERS[type](payload)
    return PARSERS[type](payload, s)


ALL_TYPES = sorted({*PARSERS, *EXTRA_PARSERS})


def test_the_scenario_holds_every_parsed_type(election: Scenario) -> None:
    for type in PARSERS:
        assert entries_of(election, type), type


@pytest.mark.parametrize("type", ALL_TYPES)
def test_round_trip_is_identity(election: Scenario, type: str) -> None:
    for payload in [_payload(election, type)] + [
        dict(e.payload) for e in entries_of(election, type)[1:]
    ]:
        parsed = _parse(election, type, payload)
        assert canonical.encode(parsed.to_json()) == canonical.encode(payload)


# How a reader names a field when it refuses its type, where that is not the field's name.
FIELD_LABELS = {
    ("audit", "ballot"): "entry",
    ("credentials", "credentials"): "credentials list",
    ("mix", "mix"): "mix number",
}


@pytest.mark.parametrize("type", ALL_TYPES)
def test_missing_unknown_and_mistyped_fields_are_refused(election: Scenario, type: str) -> None:
    payload = _payload(election, type)
    for key in payload:
        missing = {k: v for k, v in payload.items() if k != key}
        with pytest.raises(MalformedInput, match=rf"{type} payload: missing field\(s\) {key}$"):
            _parse(election, type, missing)
        mistyped = {**payload, key: [[]] if not isinstance(payload[key], list) else {"x": 1}}
        label = FIELD_LABELS.get((type, key), f"({key}|{key.replace('_', ' ')})")
        with pytest.raises(MalformedInput, match=f"{label}:? must be"):
            _parse(election, type, mistyped)
    with pytest.raises(MalformedInput, match=rf"{type} payload: unknown field\(s\) extra"):
        _parse(election, type, {**payload, "extra": 1})
    with pytest.raises(MalformedInput, match=f"{type} payload must be a JSON object, got list"):
        _parse(election, type, [payload])


def _set(path: str, value: Any) -> Callable[[Any], Any]:
    def mutate(payload: Any) -> Any:
        target = payload
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
        return payload

    return mutate


def _apply(f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return f


OFF_CURVE = "02" + "00" * 31 + "05"
UPPER = G.to_hex().upper()

MUTATIONS: list[tuple[str, str, Callable[[Any], Any]]] = [
    ("timetable-change", "unknown-field-name", _set("field", "count_open")),
    ("timetable-change", "time-with-offset", _set("time", "2027-02-10T12:00:00+01:00")),
    ("timetable-change", "reason-outer-space", _set("reason", " Postal strike")),
    ("timetable-change", "reason-empty", _set("reason", "")),
    ("timetable-change", "reason-too-long", _set("reason", "x" * 501)),
    ("nomination", "contest-upper-case", _set("contest", "NEC-clp")),
    ("nomination", "nominee-id-leading-dash", _set("nominee.id", "-ana")),
    ("nomination", "received-not-a-date", _set("received", "2027-02-30")),
    ("nomination", "received-with-time", _set("received", "2027-01-05T10:00:00Z")),
    ("nomination", "attribute-value-number", _set("nominee.attributes.gender", 1)),
    (
        "nomination",
        "too-many-attributes",
        _set("nominee.attributes", {f"a{i}": "x" for i in range(17)}),
    ),
    ("nomination", "nominee-extra-field", _set("nominee.age", 40)),
    ("exclusion", "nominee-bad-id", _set("nominee", "Ben")),
    ("candidate-list", "no-candidate", _set("candidates", [])),
    (
        "candidate-list",
        "same-id-twice",
        lambda p: {**p, "candidates": p["candidates"] + p["candidates"][:1]},
    ),
    (
        "candidate-list",
        "too-many",
        lambda p: {**p, "candidates": [dict(p["candidates"][0], id=f"c{i}") for i in range(501)]},
    ),
    ("decision", "subject-not-text", _set("subject", 3)),
    ("trustee-key", "off-curve-key", _set("key.encryption_key", OFF_CURVE)),
    ("trustee-key", "upper-case-hex", _set("key.encryption_key", UPPER)),
    ("trustee-key", "index-zero", _set("key.trustee", 0)),
    ("dealing", "share-to-dealer", lambda p: _dealing_share_to_self(p)),
    ("dealing", "short-box", _set("dealing.shares.0.ciphertext", "00" * 47)),
    ("complaint", "against-oneself", lambda p: _self_complaint(p)),
    ("shares-accepted", "index-zero", _set("trustee", 0)),
    ("shares-accepted", "index-bool", _set("trustee", True)),
    ("election-key", "too-few-commitments", lambda p: _drop_commitment(p)),
    (
        "election-key",
        "absent-also-qualified",
        lambda p: {
            **p,
            "absent": [{"reason": "no-key", "trustee": p["joint_key"]["qualified"][0]}]
            + p["absent"],
        },
    ),
    (
        "election-key",
        "absent-unsorted",
        lambda p: {
            **p,
            "absent": [
                {"reason": "no-key", "trustee": 5},
                {"reason": "dealer-at-fault", "trustee": 2},
            ],
        },
    ),
    (
        "election-key",
        "absent-unknown-reason",
        lambda p: {**p, "absent": [{"reason": "asleep", "trustee": 2}]},
    ),
    ("election-key", "identity-joint-key", _set("joint_key.commitments.0", IDENTITY_HEX)),
    ("key-confirmation", "uncompressed-point", _set("confirmation.public_key", "04" + "00" * 32)),
    ("credentials", "identity-credential", _set("credentials.0", IDENTITY_HEX)),
    (
        "credentials",
        "unsorted",
        lambda p: {
            **p,
            "credentials": sorted(p["credentials"], reverse=True)
            if len(p["credentials"]) > 1
            else p["credentials"] * 2,
        },
    ),
    ("credentials", "negative-part", _set("part", -1)),
    ("credentials", "empty", _set("credentials", [])),
    ("credentials", "style-with-space", _set("style", "nec-clp + leader")),
    ("credentials", "too-many", lambda p: {**p, "credentials": [G.to_hex()] * 10_001}),
    ("credentials-complete", "no-style", _set("counts", {})),
    ("credentials-complete", "zero-count", _set("counts", {STYLE_ALL: 0})),
    ("credential-reissue", "same-credential", lambda p: {**p, "credential": p["revoked"]}),
    ("credential-reissue", "identity-credential", _set("credential", IDENTITY_HEX)),
    ("ballot", "unknown-style", _set("style", "nec-clp+leader")),
    ("ballot", "style-of-unknown-contest", _set("style", "nec-clp+mayor+leader+rule-change-1")),
    ("ballot", "contest-missing", lambda p: {**p, "contests": p["contests"][:-1]}),
    (
        "ballot",
        "contests-swapped",
        lambda p: {**p, "contests": [p["contests"][1], p["contests"][0], *p["contests"][2:]]},
    ),
    ("ballot", "selection-missing", lambda p: edit_contest0(p, selections=lambda s: s[:-1])),
    (
        "ballot",
        "proof-three-branches",
        lambda p: edit_contest0(
            p, proofs=lambda ps: [{"branches": ps[0]["branches"] * 2}, *ps[1:]][: len(ps)]
        ),
    ),
    (
        "ballot",
        "total-branches-short",
        lambda p: edit_contest0(p, total=lambda t: {"branches": t["branches"][:-1]}),
    ),
    ("ballot", "total-missing", lambda p: edit_contest0(p, total=lambda t: None)),
    (
        "ballot",
        "alpha-off-curve",
        lambda p: edit_contest0(p, selections=lambda s: [{**s[0], "alpha": OFF_CURVE}, *s[1:]]),
    ),
    (
        "ballot",
        "beta-upper-case",
        lambda p: edit_contest0(p, selections=lambda s: [{**s[0], "beta": UPPER}, *s[1:]]),
    ),
    (
        "ballot",
        "challenge-above-n",
        lambda p: edit_contest0(
            p,
            total=lambda t: {
                "branches": [{**t["branches"][0], "challenge": "ff" * 32}, *t["branches"][1:]]
            },
        ),
    ),
    (
        "ballot",
        "ranked-as-homomorphic",
        lambda p: {
            **p,
            "contests": [
                p["contests"][0],
                p["contests"][0] | {"contest": "leader"},
                p["contests"][2],
            ],
        },
    ),
    ("audit", "inner-not-a-ballot", _set("ballot.type", "audit")),
    ("audit", "inner-not-a-voter", _set("ballot.author.role", "issuer")),
    ("audit", "opening-missing", lambda p: {**p, "openings": p["openings"][:-1]}),
    ("audit", "choice-two", lambda p: edit_opening0(p, choices=lambda c: [2, *c[1:]])),
    (
        "audit",
        "ranking-repeats",
        lambda p: {
            **p,
            "openings": [
                p["openings"][0],
                {**p["openings"][1], "ranking": [0, 0]},
                p["openings"][2],
            ],
        },
    ),
    (
        "audit",
        "ranking-out-of-range",
        lambda p: {
            **p,
            "openings": [p["openings"][0], {**p["openings"][1], "ranking": [7]}, p["openings"][2]],
        },
    ),
    ("tally", "contest-missing", lambda p: {"contests": p["contests"][:-1]}),
    (
        "tally",
        "aggregate-missing",
        lambda p: {
            "contests": [
                {**p["contests"][0], "aggregates": p["contests"][0]["aggregates"][:-1]},
                *p["contests"][1:],
            ]
        },
    ),
    (
        "tally",
        "ranked-with-aggregates",
        lambda p: {
            "contests": [
                *p["contests"][:3],
                {**p["contests"][3], "aggregates": []},
                p["contests"][4],
            ]
        },
    ),
    (
        "tally",
        "ballots-negative",
        lambda p: {"contests": [{**p["contests"][0], "ballots": -1}, *p["contests"][1:]]},
    ),
    ("decryption", "tally-hash-short", _set("tally", "00" * 31)),
    ("decryption", "share-of-another-trustee", lambda p: _share_trustee(p)),
    ("decryption", "row-missing", lambda p: {**p, "shares": p["shares"][:-1]}),
    (
        "decryption",
        "share-missing",
        lambda p: {**p, "shares": [p["shares"][0][:-1], *p["shares"][1:]]},
    ),
    ("result", "trustees-unsorted", lambda p: {**p, "trustees": list(reversed(p["trustees"]))}),
    ("result", "seed-upper-case", _set("seed", "AB" * 32)),
    (
        "result",
        "count-missing",
        lambda p: {
            **p,
            "contests": [
                {**p["contests"][0], "counts": p["contests"][0]["counts"][:-1]},
                *p["contests"][1:],
            ],
        },
    ),
    (
        "result",
        "referendum-passed-over",
        lambda p: {**p, "contests": [*p["contests"][:4], {**p["contests"][4], "passed_over": []}]},
    ),
    (
        "result",
        "block-without-passed-over",
        lambda p: {
            **p,
            "contests": [
                {k: v for k, v in p["contests"][0].items() if k != "passed_over"},
                *p["contests"][1:],
            ],
        },
    ),
]


def _dealing_share_to_self(p: Any) -> Any:
    p["dealing"]["shares"][0]["recipient"] = p["dealing"]["dealer"]
    return p


def _self_complaint(p: Any) -> Any:
    p["complaint"]["dealer"] = p["complaint"]["complainant"]
    return p


def _drop_commitment(p: Any) -> Any:
    p["joint_key"]["commitments"] = p["joint_key"]["commitments"][:-1]
    return p


def _share_trustee(p: Any) -> Any:
    p["shares"][0][0]["trustee"] = p["trustee"] % 5 + 1
    return p


# The reader's reason for each mutation above, by its test id.
REFUSED_FOR = {
    "timetable-change-unknown-field-name": "timetable-change field must be one of",
    "timetable-change-time-with-offset": "timetable-change time: must be a UTC time",
    "timetable-change-reason-outer-space": "reason: must be 1-500 characters without outer",
    "timetable-change-reason-empty": "reason: must be 1-500 characters without outer",
    "timetable-change-reason-too-long": "reason: must be 1-500 characters without outer",
    "nomination-contest-upper-case": "nomination contest: must be 1-63 of a-z",
    "nomination-nominee-id-leading-dash": "nomination nominee.id: must be 1-63 of a-z",
    "nomination-received-not-a-date": "nomination received: not a valid date",
    "nomination-received-with-time": "nomination received: must be a date like",
    "nomination-attribute-value-number": "attributes.gender must be a string, got int",
    "nomination-too-many-attributes": "attributes: at most 16 attributes, got 17",
    "nomination-nominee-extra-field": r"nomination nominee: unknown field\(s\) age",
    "exclusion-nominee-bad-id": "exclusion nominee: must be 1-63 of a-z",
    "candidate-list-no-candidate": r"candidates: at least 1 item\(s\), got 0",
    "candidate-list-same-id-twice": "candidate-list: a candidate id appears twice",
    "candidate-list-too-many": "candidates: at most 500 items, got 501",
    "decision-subject-not-text": "decision subject must be a string, got int",
    "trustee-key-off-curve-key": "point not on curve",
    "trustee-key-upper-case-hex": "point must be lower-case hex",
    "trustee-key-index-zero": "trustee key: trustee must be >= 1, got 0",
    "dealing-share-to-dealer": "dealing 1: share addressed to the dealer itself",
    "dealing-short-box": "encrypted share must be 96 hex digits, got 94",
    "complaint-against-oneself": "complaint: trustee 4 complains against itself",
    "shares-accepted-index-zero": "shares-accepted trustee must be >= 1, got 0",
    "shares-accepted-index-bool": "shares-accepted trustee must be an integer, got bool",
    "election-key-too-few-commitments": "joint key: need t = 3 commitments",
    "election-key-absent-also-qualified": "a trustee is both qualified and absent",
    "election-key-absent-unsorted": "absent trustees must be strictly increasing",
    "election-key-absent-unknown-reason": "reason must be one of no-key, no-dealing",
    "election-key-identity-joint-key": "election-key: the joint public key is the identity",
    "key-confirmation-uncompressed-point": "point prefix must be 0x02 or 0x03, got 0x04",
    "credentials-identity-credential": r"credentials\[0\]: the identity is not a credential",
    "credentials-unsorted": "credentials: not strictly increasing by encoding",
    "credentials-negative-part": "credentials part must be >= 0, got -1",
    "credentials-empty": r"credentials list: at least 1 item\(s\), got 0",
    "credentials-style-with-space": "credentials style: not a ballot style",
    "credentials-too-many": "credentials list: at most 10000 items, got 10001",
    "credentials-complete-no-style": "credentials-complete: 1 to 10000 styles",
    "credentials-complete-zero-count": "must be >= 1, got 0",
    "credential-reissue-same-credential": "the new credential is the revoked one",
    "credential-reissue-identity-credential": "credential: the identity is not a credential",
    "ballot-unknown-style": "ballot style nec-clp[+]leader: lacks rule-change-1",
    "ballot-style-of-unknown-contest": "unknown or repeated contest",
    "ballot-contest-missing": "has 3 contests, the ballot 2",
    "ballot-contests-swapped": r"contest nec-clp: missing field\(s\) proofs, selections, total",
    "ballot-selection-missing": "contest nec-clp: need 5 selections and proofs",
    "ballot-proof-three-branches": r"proofs\[0\].branches: at most 2 items, got 4",
    "ballot-total-branches-short": "contest nec-clp.total: expected 4 branches, got 3",
    "ballot-total-missing": "contest nec-clp.total must be a JSON object, got NoneType",
    "ballot-alpha-off-curve": r"selections\[0\]: point not on curve",
    "ballot-beta-upper-case": r"selections\[0\]: point must be lower-case hex",
    "ballot-challenge-above-n": r"scalar out of range \[0, n\)",
    "ballot-ranked-as-homomorphic": r"contest leader: missing field\(s\) proof, ranking",
    "audit-inner-not-a-ballot": "audited entry must be a ballot, got 'audit'",
    "audit-inner-not-a-voter": "audited ballot must be signed by a voter",
    "audit-opening-missing": "audit: 2 openings for 3 contests",
    "audit-choice-two": "opening of nec-clp.choices must be <= 1, got 2",
    "audit-ranking-repeats": "contest leader: a ranking lists distinct options only",
    "audit-ranking-out-of-range": "contest leader: a ranking lists distinct options only",
    "tally-contest-missing": "tally: 4 contests, the definition has 5",
    "tally-aggregate-missing": "tally of nec-clp: 4 aggregates for 5 options",
    "tally-ranked-with-aggregates": r"tally of leader: unknown field\(s\) aggregates",
    "tally-ballots-negative": "tally of nec-clp.ballots must be >= 0, got -1",
    "decryption-tally-hash-short": "decryption tally must be 64 hex digits, got 62",
    "decryption-share-of-another-trustee": r"shares\[0\]: a share of another trustee",
    "decryption-row-missing": "decryption: 4 share lists for 5 contests",
    "decryption-share-missing": r"decryption shares\[0\]: 4 shares, need 5",
    "result-trustees-unsorted": "result: trustees must be strictly increasing",
    "result-seed-upper-case": "result seed must be lower-case hex",
    "result-count-missing": "result of nec-clp: 4 counts for 5 options",
    "result-referendum-passed-over": r"rule-change-1: unknown field\(s\) passed_over",
    "result-block-without-passed-over": r"result of nec-clp: missing field\(s\) passed_over",
}


def test_every_mutation_names_its_reason() -> None:
    assert set(REFUSED_FOR) == {f"{t}-{name}" for t, name, _ in MUTATIONS}


@pytest.mark.parametrize(
    ("type", "name", "mutate"),
    [pytest.param(t, name, f, id=f"{t}-{name}") for t, name, f in MUTATIONS],
)
def test_mutation_is_refused(
    election: Scenario, type: str, name: str, mutate: Callable[[Any], Any]
) -> None:
    payload = _payload(election, type)
    _parse(election, type, copy.deepcopy(payload))  # the unmutated payload parses
    with pytest.raises(MalformedInput, match=REFUSED_FOR[f"{type}-{name}"]):
        _parse(election, type, mutate(payload))
