"""Write tests/vectors/ballots/ballots.json: complete signed ballot and audit entries (§11.8,
§11.9) built from fixed randomness by the Python voter client itself.

Usage: ``.venv/bin/python -m tests.vectors.ballots.generate``.

The election: a definition with one contest of each kind (block: vote for up to 2 of 4;
approval: any of 3; referendum: Yes or No; ranked: up to 3 of 4, youth members only), its
fingerprint (§11.2), the signed ``candidate-list`` entries of its three candidate contests
(Ed25519 signatures are deterministic) with their entry hashes and the ballot paper hash they
give (§11.8), an election key Y (a fixed scalar: no ceremony is needed to encrypt), and a
member's credential code with the key it gives (§8.3).

Each ballot is made by ``election.voter.encrypt_ballot`` and ``sign_voter_entry`` unchanged,
with ``Scalar.random`` replaced by a list of fixed scalars (``fixed_randomness``), so the file
records exactly the order in which the voter's client draws randomness:

    per contest, in style order —
      block, approval, referendum: r_0..r_{L-1}; then per option k the range proof's nonce and
        its one simulated (challenge, response); then, unless approval, the sum proof's nonce
        and its simulated (challenge, response) pairs in branch order;
      ranked: r, then the randomness proof's nonce;
    then the credential signature's nonce (and for an audit, the audit entry's signature nonce).

The booth's builder (booth/js/ballot.js) draws in the same order and must produce the identical
entry bytes and tracker. tests/test_ballot_vectors.py rebuilds every entry with the Python and
checks it with the board's parser and proof verification.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from crypto import canonical
from crypto.credentials import CredentialCode, CredentialKey, derive_credential_key
from crypto.elgamal import PublicKey, SecretKey
from crypto.envelope import entry_hash, sign_entry
from crypto.group import Scalar
from election.definition import ElectionDefinition
from election.voter import audit_payload, encrypt_ballot, sign_voter_entry
from election.wire import ADMINISTRATOR, AUDIT, BALLOT, CANDIDATE_LIST, BallotLayout, CandidateList
from tests.vectors._generate import seed, signing_key, write_json

HERE = Path(__file__).resolve().parent
SOURCE = "verivote tests/vectors/ballots/generate.py (election/voter.py with fixed randomness)"
ELECTION = "booth-vectors"


def _ed25519(label: str) -> str:
    return signing_key(label).verify_key.to_hex()


def _contest(cid: str, kind: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": cid,
        "title": cid.replace("-", " ").capitalize(),
        "kind": kind,
        "seats": 1,
        "max_selections": 1,
        "sections": [],
        "nomination_threshold": 1,
        "method": None,
        "question": None,
        "options": [],
        "constraints": [],
    }
    return base | fields


DEFINITION: dict[str, Any] = {
    "version": 1,
    "id": ELECTION,
    "title": "Booth test vectors",
    "organisation": "Example Party",
    "time_zone": "Europe/London",
    "timetable": {
        "nominations_open": "2027-01-04T09:00:00Z",
        "nominations_close": "2027-01-14T09:00:00Z",
        "trustee_keys_close": "2027-01-16T09:00:00Z",
        "ceremony_close": "2027-01-20T09:00:00Z",
        "voting_open": "2027-01-24T09:00:00Z",
        "voting_close": "2027-02-03T09:00:00Z",
    },
    "administrator": {"name": "Returning Officer", "key": _ed25519("ballots/admin")},
    "issuer": {"name": "Membership Office", "key": _ed25519("ballots/issuer")},
    "trustees": {
        "threshold": 1,
        "members": [{"name": "Trustee 1", "key": _ed25519("ballots/trustee-1")}],
    },
    "witnesses": {"quorum": 0, "members": []},
    "sections": ["member", "youth"],
    "contests": [
        _contest("executive", "block", seats=3, max_selections=2),
        _contest("policy", "approval", max_selections=None),
        _contest(
            "rule-change",
            "referendum",
            nomination_threshold=0,
            question="Adopt the new rule book?",
            options=["Yes", "No"],
        ),
        _contest("youth-rep", "ranked", sections=["youth"], method="irv", max_selections=3),
    ],
}
CANDIDATES: dict[str, list[str]] = {
    "executive": ["Ada Lovelace", "Grace Hopper", "Mary Somerville", "Émilie du Châtelet"],
    "policy": ["Housing", "Transport", "Schools"],
    "youth-rep": ["Aled Jones", "Bethan Hughes", "Cerys Price", "Dafydd Evans"],
}
STYLE_ALL = "executive+policy+rule-change"
STYLE_YOUTH = "executive+policy+rule-change+youth-rep"
CODE_ENTROPY = bytes.fromhex("5a17c0de0f1e2d3c4b5a6978877f01")


def candidate_lists() -> dict[str, CandidateList]:
    return {
        contest: CandidateList.from_json(
            {
                "contest": contest,
                "candidates": [
                    {"id": f"{contest}-{k}", "name": name, "attributes": {}}
                    for k, name in enumerate(names)
                ],
            }
        )
        for contest, names in CANDIDATES.items()
    }


def candidate_list_entries() -> dict[str, bytes]:
    """Spec §10.1 and §11.5 Each candidate list as the administrator's signed entry."""
    admin = signing_key("ballots/admin")
    return {
        contest: sign_entry(
            election=ELECTION,
            type=CANDIDATE_LIST,
            role=ADMINISTRATOR,
            payload=listed.to_json(),
            key=admin,
        )
        for contest, listed in candidate_lists().items()
    }


def election() -> tuple[ElectionDefinition, BallotLayout, PublicKey, CredentialCode, CredentialKey]:
    definition = ElectionDefinition.from_json(DEFINITION)
    hashes = {c: entry_hash(raw) for c, raw in candidate_list_entries().items()}
    layout = BallotLayout.build(definition, candidate_lists(), list_hashes=hashes)
    public_key = SecretKey(seed("ballots/election-key")).public_key()
    code = CredentialCode.unsafe_from_entropy(CODE_ENTROPY)
    key = derive_credential_key(code, fingerprint=definition.fingerprint)
    return definition, layout, public_key, code, key


@contextmanager
def fixed_randomness(label: str) -> Iterator[list[Scalar]]:
    """Replace ``Scalar.random`` by the scalars ``seed(label/0)``, ``seed(label/1)``, ...; the
    list yielded fills with every scalar drawn, in order."""
    drawn: list[Scalar] = []
    original = Scalar.__dict__["random"]

    def draw(cls: type[Scalar]) -> Scalar:
        value = seed(f"{label}/{len(drawn)}")
        drawn.append(value)
        return value

    Scalar.random = classmethod(draw)  # type: ignore[method-assign, assignment]
    try:
        yield drawn
    finally:
        Scalar.random = original  # type: ignore[method-assign]


def cast(
    label: str, style: str, choices: Mapping[str, Sequence[int]], *, audit: bool = False
) -> dict[str, Any]:
    """One ballot (or an audit of one) by the Python client, with its randomness recorded."""
    _, layout, public_key, _, key = election()
    with fixed_randomness(label) as drawn:
        encrypted = encrypt_ballot(layout, style, choices, public_key=public_key, credential=key)
        payload = canonical.decode(canonical.encode(encrypted.ballot.to_json()))
        assert isinstance(payload, dict)
        ballot = sign_voter_entry(election=ELECTION, type=BALLOT, payload=payload, credential=key)
        entry = ballot
        if audit:
            opened = audit_payload(ballot, encrypted.openings)
            entry = sign_voter_entry(election=ELECTION, type=AUDIT, payload=opened, credential=key)
    return {
        "label": label,
        "type": AUDIT if audit else BALLOT,
        "style": style,
        "choices": {k: list(v) for k, v in choices.items()},
        "randomness": [s.to_hex() for s in drawn],
        "openings": [o.to_json() for o in encrypted.openings],
        "ballot_entry": ballot.decode(),
        "entry": entry.decode(),
        "tracker": hashlib.sha256(entry).hexdigest(),
    }


CASES: list[tuple[str, str, dict[str, list[int]], bool]] = [
    (
        "every-kind",
        STYLE_YOUTH,
        {"executive": [0, 2], "policy": [0, 1, 2], "rule-change": [1], "youth-rep": [3, 0, 1]},
        False,
    ),
    (
        "nothing-marked",
        STYLE_YOUTH,
        {"executive": [], "policy": [], "rule-change": [], "youth-rep": []},
        False,
    ),
    (
        "one-mark-each",
        STYLE_YOUTH,
        {"executive": [3], "policy": [1], "rule-change": [0], "youth-rep": [2]},
        False,
    ),
    ("member-style", STYLE_ALL, {"executive": [1, 0], "policy": [2], "rule-change": [0]}, False),
    (
        "audit",
        STYLE_YOUTH,
        {"executive": [1], "policy": [], "rule-change": [0], "youth-rep": [0, 1, 2]},
        True,
    ),
]


def _paper(layout: BallotLayout) -> bytes:
    assert layout.paper is not None, "every candidate contest has its list"
    return layout.paper


def main() -> None:
    definition, layout, public_key, code, key = election()
    document = {
        "source": SOURCE,
        "description": (
            "Spec §11.2 fingerprint, §8.3 credential key, §11.8 the ballot paper hash of the "
            "signed candidate-list entries, complete signed ballot entries (block, approval, "
            "referendum, ranked with the 0xFF empty ranking) and §11.9 an audit entry, built "
            "from fixed randomness in the client's draw order"
        ),
        "election": ELECTION,
        "definition": DEFINITION,
        "definition_canonical": definition.canonical_bytes().decode(),
        "fingerprint": definition.fingerprint.hex(),
        "candidate_lists": {c: cl.to_json() for c, cl in candidate_lists().items()},
        "candidate_list_entries": [
            {"contest": c, "entry": raw.decode(), "entry_hash": entry_hash(raw).hex()}
            for c, raw in candidate_list_entries().items()
        ],
        "paper": _paper(layout).hex(),
        "contests": [
            {
                "id": s.id,
                "kind": s.kind.value,
                "options": s.options,
                "max_selections": s.max_selections,
            }
            for s in layout.style(STYLE_YOUTH)
        ],
        "election_key_secret": seed("ballots/election-key").to_hex(),
        "election_key": public_key.to_hex(),
        "code": code.formatted(),
        "credential_secret": key.secret.to_hex(),
        "credential": key.public.to_hex(),
        "ballots": [
            cast(label, style, choices, audit=audit) for label, style, choices, audit in CASES
        ],
    }
    write_json(HERE / "ballots.json", document)


if __name__ == "__main__":
    main()
