"""The tamper suite: named manipulations of a built election's export, each of which the
verifier must catch with the intended check (spec §13.1) at the intended entry, as the first
failure. Manipulated entries are re-signed with the test keys and the log and its tree heads
rebuilt, so that what fails is the semantic check, not the signature or the log (check 1),
unless the log is what the case breaks."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bulletin_board.wire import SignedTreeHead, sign_entry, sign_tree_head
from crypto import canonical
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.elgamal import Ciphertext
from crypto.group import N, Scalar
from crypto.hashing import Dst
from crypto.merkle import Frontier, leaf_hash
from crypto.proofs._common import ChallengeResponse
from crypto.proofs.disjunctive import _prove, prove_range, prove_sum_range
from crypto.signing import SigningKey
from election.voter import audit_payload, sign_voter_entry
from election.wire import BoothRelease, HomomorphicOpening, selection_context, total_context
from simulation.builder import Member
from tests.election.scenario import (
    ADMIN,
    DEFINITION,
    ELECTION,
    ISSUER,
    STRANGER,
    STYLE_ALL,
    TRUSTEES,
    VOTING_CLOSE,
    VOTING_OPEN,
)
from tests.verifier.election import (
    BOARD_KEY,
    Built,
    Leaves,
    entry_of,
    export_bytes,
    leaf_bytes,
    resign,
    verify_bytes,
)

# The built election's layout (see tests/verifier/election.py): leaf 1 the definition,
# 2-18 nominations, 19-23 trustee keys, 24-28 dealings, 29-33 shares-accepted, 34 the election
# key, 35-39 key confirmations, 40-43 candidate lists, 44-46 credentials, 47 complete, 48-52
# ballots (48 superseded by 52, member 0's revote), 53 an audit, 54 the tally, 55-57
# decryptions, 58-60 the mixes of the ranked contest (leader), 61-63 its ranked decryptions,
# 64 the result (mixing's cases: tests/verifier/test_tamper_mixing.py).
DEF, NOMINATION, TRUSTEE_KEY, DEALING, ELECTION_KEY, CANDIDATES = 1, 5, 19, 24, 34, 40
CREDENTIALS, COMPLETE, BALLOT, AUDIT, TALLY, DECRYPTION, RESULT = 45, 47, 49, 53, 54, 55, 64
MIX, RANKED_DECRYPTION = 58, 61
NOW = VOTING_OPEN + 1000


@dataclass
class Case:
    """A manipulated election: leaves (or whole export bytes), verifier options, and the
    failure expected first: (check, entry index or None for the log as a whole)."""

    check: int
    index: int | None
    leaves: Leaves | None = None
    export: bytes | None = None
    options: dict[str, Any] = field(default_factory=dict)


Tamper = Callable[[Built], Case]
CASES: dict[str, Tamper] = {}


def case(name: str) -> Callable[[Tamper], Tamper]:
    def register(f: Tamper) -> Tamper:
        CASES[name] = f
        return f

    return register


def _leaves(built: Built) -> Leaves:
    return list(built.leaves)


def _replace(built: Built, index: int, raw: bytes, received: int | None = None) -> Leaves:
    leaves = _leaves(built)
    leaves[index] = (raw, leaves[index][1] if received is None else received)
    return leaves


def _insert(built: Built, index: int, raw: bytes, received: int) -> Leaves:
    leaves = _leaves(built)
    leaves.insert(index, (raw, received))
    return leaves


def _admin_entry(type: str, payload: dict[str, Any], key: SigningKey = ADMIN) -> bytes:
    return sign_entry(election=ELECTION, type=type, role="administrator", payload=payload, key=key)


def _member_of(built: Built, raw: bytes) -> Member:
    key = bytes.fromhex(entry_of(raw)["author"]["key"])
    return next(m for m in built.scenario.members if m.key.public.to_bytes() == key)


def _voter_entry(
    built: Built, member: Member, payload: dict[str, Any], type: str = "ballot"
) -> bytes:
    return sign_voter_entry(election=ELECTION, type=type, payload=payload, credential=member.key)


def _rewrite_ballot(built: Built, index: int, change: Callable[[dict[str, Any]], None]) -> Leaves:
    raw = built.leaves[index][0]
    payload = entry_of(raw)["payload"]
    change(payload)
    return _replace(built, index, _voter_entry(built, _member_of(built, raw), payload))


def _export_with_raw(leaves: Leaves, index: int, blob: bytes) -> bytes:
    blobs = [leaf_bytes(i, raw, received) for i, (raw, received) in enumerate(leaves)]
    blobs[index] = blob
    return export_bytes(leaves, raw_leaves=blobs)


# --- check 1: the log ----------------------------------------------------------------------


def _replace_sth(data: bytes, size: int, forge: Callable[[SignedTreeHead], bytes]) -> bytes:
    lines = data.split(b"\n")
    at = next(i for i, line in enumerate(lines) if b'"tree_size":%d,' % size in line)
    sth = SignedTreeHead.from_bytes(lines[at][len(b'{"sth":') : -1])
    lines[at] = b'{"sth":' + forge(sth) + b"}"
    return b"\n".join(lines)


@case("forge-sth-with-another-key")
def _forge_sth(built: Built) -> Case:
    def forge(sth: SignedTreeHead) -> bytes:
        return sign_tree_head(
            election=ELECTION, tree_size=sth.tree_size, root_hash=sth.root_hash,
            timestamp=sth.timestamp, rehearsal=False, key=STRANGER,
        ).to_bytes()  # fmt: skip

    return Case(1, 13, export=_replace_sth(export_bytes(built.leaves), 14, forge))


@case("sth-with-a-wrong-root")
def _wrong_root(built: Built) -> Case:
    def forge(sth: SignedTreeHead) -> bytes:
        return sign_tree_head(
            election=ELECTION, tree_size=sth.tree_size, root_hash=bytes(32),
            timestamp=sth.timestamp, rehearsal=False, key=BOARD_KEY,
        ).to_bytes()  # fmt: skip

    return Case(1, 27, export=_replace_sth(export_bytes(built.leaves), 28, forge))


@case("sth-says-rehearsal-on-a-real-log")
def _flip_rehearsal(built: Built) -> Case:
    # Spec §10.2: a tree head carries leaf 0's flag; a board that signs "rehearsal" on a real
    # log (or the reverse) is caught even though its signature and root are right.
    def forge(sth: SignedTreeHead) -> bytes:
        return sign_tree_head(
            election=ELECTION, tree_size=sth.tree_size, root_hash=sth.root_hash,
            timestamp=sth.timestamp, rehearsal=True, key=BOARD_KEY,
        ).to_bytes()  # fmt: skip

    return Case(1, 27, export=_replace_sth(export_bytes(built.leaves), 28, forge))


@case("fork-the-log")
def _fork(built: Built) -> Case:
    # The tree head of size 49 commits to another ballot at leaf 48 (a forked history).
    fork = _rewrite_ballot(built, 48, lambda p: None)
    forked = export_bytes(fork).split(b"\n")
    at = next(i for i, line in enumerate(forked) if b'"tree_size":49,' in line)
    other = forked[at][len(b'{"sth":') : -1]
    return Case(1, 48, export=_replace_sth(export_bytes(built.leaves), 49, lambda sth: other))


@case("kept-sth-from-a-forked-history")
def _since_fork(built: Built) -> Case:
    fork = _rewrite_ballot(built, 50, lambda p: None)
    frontier = Frontier.empty()
    for i, (raw, received) in enumerate(fork[:52]):
        frontier = frontier.append(leaf_hash(leaf_bytes(i, raw, received)))[0]
    kept = sign_tree_head(
        election=ELECTION, tree_size=52, root_hash=frontier.root(), timestamp=NOW,
        rehearsal=False, key=BOARD_KEY,
    )  # fmt: skip
    return Case(1, 51, leaves=_leaves(built), options={"since": kept.to_bytes()})


@case("reorder-leaf-lines")
def _reorder_lines(built: Built) -> Case:
    blobs = [leaf_bytes(i, raw, received) for i, (raw, received) in enumerate(built.leaves)]
    blobs[50], blobs[51] = blobs[51], blobs[50]
    return Case(1, 50, export=export_bytes(built.leaves, raw_leaves=blobs))


@case("duplicate-a-ballot")
def _duplicate(built: Built) -> Case:
    return Case(1, 50, leaves=_insert(built, 50, *built.leaves[BALLOT]))


@case("non-canonical-json-admin-entry")
def _non_canonical_admin(built: Built) -> Case:
    raw, received = built.leaves[NOMINATION]
    spaced = json.dumps(entry_of(raw)).encode()
    blob = b'{"entry":%s,"index":%d,"received":%d,"version":1}' % (spaced, NOMINATION, received)
    return Case(1, NOMINATION, export=_export_with_raw(_leaves(built), NOMINATION, blob))


@case("non-canonical-json-ballot")
def _non_canonical_ballot(built: Built) -> Case:
    raw, received = built.leaves[BALLOT]
    spaced = raw.replace(b'"style":"', b'"style": "', 1)
    assert spaced != raw
    blob = leaf_bytes(BALLOT, spaced, received)
    return Case(1, BALLOT, export=_export_with_raw(_leaves(built), BALLOT, blob))


@case("received-time-goes-back")
def _received_back(built: Built) -> Case:
    leaves = _leaves(built)
    leaves[51] = (leaves[51][0], VOTING_OPEN + 500)
    return Case(1, 51, leaves=leaves)


@case("entry-signature-forged")
def _forged_signature(built: Built) -> Case:
    entry = entry_of(built.leaves[NOMINATION][0])
    entry["signature"] = ("00" if entry["signature"][:2] != "00" else "11") + entry["signature"][2:]
    return Case(1, NOMINATION, leaves=_replace(built, NOMINATION, canonical.encode(entry)))


@case("truncated-export")
def _truncated(built: Built) -> Case:
    data = export_bytes(built.leaves)
    return Case(1, None, export=data[: data.rindex(b'{"end"')])


# --- check 2: definition and administrative entries ------------------------------------------


@case("definition-change-after-voting-opened")
def _definition_again(built: Built) -> Case:
    definition = entry_of(built.leaves[DEF][0])["payload"]
    definition["definition"]["title"] = "NEC election 2027 (revised)"
    return Case(
        2, 50, leaves=_insert(built, 50, _admin_entry("election-definition", definition), NOW)
    )


@case("candidate-list-after-voting-opened")
def _late_candidates(built: Built) -> Case:
    payload = entry_of(built.leaves[CANDIDATES][0])["payload"]
    payload["candidates"].reverse()
    return Case(2, 50, leaves=_insert(built, 50, _admin_entry("candidate-list", payload), NOW))


@case("booth-release-after-voting-opened")
def _late_booth(built: Built) -> Case:
    # Spec §11.14: the booth's code is fixed once voting opens.
    release = BoothRelease.of_files({"index.html": b"<!doctype html>"}, version="late")
    leaves = _insert(built, 50, _admin_entry("booth-release", release.to_json()), NOW)
    return Case(2, 50, leaves=leaves)


@case("booth-release-signed-by-a-stranger")
def _stranger_booth(built: Built) -> Case:
    release = BoothRelease.of_files({"index.html": b"<!doctype html>"}, version="1")
    raw = _admin_entry("booth-release", release.to_json(), key=STRANGER)
    return Case(2, 44, leaves=_insert(built, 44, raw, built.leaves[43][1]))


@case("timetable-change-after-deadline")
def _late_timetable(built: Built) -> Case:
    change = {"field": "voting_open", "time": "2027-12-01T00:00:00Z", "reason": "postponed"}
    return Case(2, 50, leaves=_insert(built, 50, _admin_entry("timetable-change", change), NOW))


@case("voting-cut-short-while-voting")
def _cut_short(built: Built) -> Case:
    # Spec §11.5: once voting opened the close only moves later (issue 15 item 2: a close 40 s
    # ahead was accepted during voting and verify passed).
    ahead = datetime.fromtimestamp(NOW / 1000 + 3600, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    change = {"field": "voting_close", "time": ahead, "reason": "Closing early"}
    return Case(2, 50, leaves=_insert(built, 50, _admin_entry("timetable-change", change), NOW))


@case("nomination-signed-by-a-stranger")
def _stranger_nomination(built: Built) -> Case:
    raw = resign(built.leaves[NOMINATION][0], lambda p: None, STRANGER)
    return Case(2, NOMINATION, leaves=_replace(built, NOMINATION, raw))


@case("candidate-list-with-an-unqualified-candidate")
def _unqualified(built: Built) -> Case:
    def add(payload: dict[str, Any]) -> None:
        payload["candidates"].append(
            {"id": "zoe", "name": "Zoe Zee", "attributes": {"gender": "woman"}}
        )

    return Case(
        2,
        CANDIDATES,
        leaves=_replace(built, CANDIDATES, resign(built.leaves[CANDIDATES][0], add, ADMIN)),
    )


@case("reorder-definition-after-a-nomination")
def _reorder_definition(built: Built) -> Case:
    leaves = _leaves(built)
    leaves[1], leaves[2] = (leaves[2][0], leaves[1][1]), (leaves[1][0], leaves[2][1])
    return Case(2, 1, leaves=leaves)


# --- check 3: the key ceremony ---------------------------------------------------------------


@case("change-a-trustee-commitment")
def _commitment(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        commitments = payload["dealing"]["commitments"]
        commitments[0], commitments[1] = commitments[1], commitments[0]

    raw = resign(built.leaves[DEALING][0], change, TRUSTEES[0])
    return Case(3, DEALING, leaves=_replace(built, DEALING, raw))


@case("election-key-not-from-the-ceremony")
def _joint_key(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        commitments = payload["joint_key"]["commitments"]
        commitments[0], commitments[1] = commitments[1], commitments[0]

    raw = resign(built.leaves[ELECTION_KEY][0], change, ADMIN)
    return Case(3, ELECTION_KEY, leaves=_replace(built, ELECTION_KEY, raw))


@case("trustee-key-signed-by-another-trustee")
def _trustee_key(built: Built) -> Case:
    raw = resign(built.leaves[TRUSTEE_KEY][0], lambda p: None, TRUSTEES[1])
    return Case(3, TRUSTEE_KEY, leaves=_replace(built, TRUSTEE_KEY, raw))


# --- check 4: credentials --------------------------------------------------------------------


@case("credential-listed-twice")
def _credential_twice(built: Built) -> Case:
    first = entry_of(built.leaves[44][0])["payload"]["credentials"][0]

    def change(payload: dict[str, Any]) -> None:
        payload["credentials"] = sorted({*payload["credentials"], first})

    raw = resign(built.leaves[CREDENTIALS][0], change, ISSUER)
    return Case(4, CREDENTIALS, leaves=_replace(built, CREDENTIALS, raw))


@case("credential-counts-misstated")
def _counts(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        style = sorted(payload["counts"])[0]
        payload["counts"][style] += 1

    raw = resign(built.leaves[COMPLETE][0], change, ISSUER)
    return Case(4, COMPLETE, leaves=_replace(built, COMPLETE, raw))


@case("credentials-signed-by-the-administrator")
def _credentials_admin(built: Built) -> Case:
    entry = entry_of(built.leaves[CREDENTIALS][0])
    raw = sign_entry(
        election=ELECTION, type="credentials", role="issuer", payload=entry["payload"], key=ADMIN
    )
    return Case(4, CREDENTIALS, leaves=_replace(built, CREDENTIALS, raw))


# --- check 5: ballots and audits -------------------------------------------------------------


@case("flip-one-byte-of-a-proof")
def _flip_proof(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        branch = payload["contests"][0]["proofs"][2]["branches"][1]
        response = branch["response"]
        branch["response"] = response[:-2] + f"{int(response[-2:], 16) ^ 1:02x}"

    return Case(5, BALLOT, leaves=_rewrite_ballot(built, BALLOT, change))


@case("weak-fiat-shamir-proof")
def _weak_fiat_shamir(built: Built) -> Case:
    scenario = built.scenario
    member = _member_of(built, built.leaves[BALLOT][0])
    encrypted = scenario.encrypt(member)
    payload: Any = encrypted.ballot.to_json()
    opening = encrypted.openings[0]
    assert isinstance(opening, HomomorphicOpening)
    selection = Ciphertext.from_json(payload["contests"][0]["selections"][0])
    assert scenario.public_key is not None
    # The challenge hashes only the commitments (and bounds), not the statement.
    weak = _prove(
        Dst.RANGE,
        [],
        public_key=scenario.public_key,
        alpha=selection.alpha,
        beta=selection.beta,
        minimum=0,
        maximum=1,
        value=opening.choices[0],
        randomness=opening.randomness[0],
        nonce=Scalar.random(),
        simulated=[ChallengeResponse(Scalar.random(), Scalar.random())],
    )
    payload["contests"][0]["proofs"][0] = weak.to_json()
    return Case(5, BALLOT, leaves=_replace(built, BALLOT, _voter_entry(built, member, payload)))


def _new_member(built: Built) -> Member:
    key = derive_credential_key(CredentialCode.generate(), fingerprint=DEFINITION.fingerprint)
    return Member(CredentialCode.generate(), key, STYLE_ALL)


@case("ballot-from-an-unlisted-credential")
def _unlisted(built: Built) -> Case:
    member = _new_member(built)
    raw = _voter_entry(built, member, built.scenario.encrypt(member).ballot.to_json())
    return Case(5, 52, leaves=_insert(built, 52, raw, NOW))


@case("ballot-from-a-revoked-credential")
def _revoked(built: Built) -> Case:
    member = _member_of(built, built.leaves[51][0])
    fresh = _new_member(built)
    reissue = sign_entry(
        election=ELECTION, type="credential-reissue", role="issuer",
        payload={"style": member.style, "revoked": member.key.public.to_hex(),
                 "credential": fresh.key.public.to_hex(), "reason": "lost"},
        key=ISSUER,
    )  # fmt: skip
    return Case(5, 52, leaves=_insert(built, 51, reissue, NOW))


@case("ballot-after-voting-closed")
def _after_close(built: Built) -> Case:
    member = built.scenario.members[2]
    raw = _voter_entry(built, member, built.scenario.encrypt(member).ballot.to_json())
    return Case(5, 54, leaves=_insert(built, 54, raw, VOTING_CLOSE))


@case("copy-a-ciphertext-under-another-credential")
def _copy(built: Built) -> Case:
    source = entry_of(built.leaves[50][0])["payload"]
    member = _member_of(built, built.leaves[51][0])
    payload = entry_of(built.leaves[51][0])["payload"]
    payload["contests"][0] = source["contests"][0]
    return Case(5, 51, leaves=_replace(built, 51, _voter_entry(built, member, payload)))


@case("reuse-a-ciphertext-with-valid-proofs")
def _reuse(built: Built) -> Case:
    # Member 1's ballot (leaf 49) is replaced by a fresh one whose randomness we know; member
    # 0's revote (leaf 52) carries the same nec-clp ciphertexts with proofs made for member 0's
    # own credential: every proof verifies, only the reuse rule (§11.8) catches it.
    scenario = built.scenario
    pk = scenario.public_key
    assert pk is not None
    first, second = scenario.members[0], scenario.members[1]
    encrypted = scenario.encrypt(second)
    leaves = _replace(built, 49, _voter_entry(built, second, encrypted.ballot.to_json()))
    opening = encrypted.openings[0]
    assert isinstance(opening, HomomorphicOpening)
    ballot: Any = encrypted.ballot.to_json()
    copied = ballot["contests"][0]
    cts = [Ciphertext.from_json(c) for c in copied["selections"]]
    x = first.key.public
    copied["proofs"] = [
        prove_range(r, value=m, public_key=pk, ciphertext=ct, maximum=1,
                    context=selection_context(DEFINITION.fingerprint, x, "nec-clp", k)).to_json()
        for k, (m, r, ct) in enumerate(zip(opening.choices, opening.randomness, cts, strict=True))
    ]  # fmt: skip
    total = Scalar(sum(r.value for r in opening.randomness) % N)
    copied["total"] = prove_sum_range(
        total, value=sum(opening.choices), public_key=pk, ciphertexts=cts, minimum=0,
        maximum=3, context=total_context(DEFINITION.fingerprint, x, "nec-clp"),
    ).to_json()  # fmt: skip
    payload: Any = scenario.encrypt(first).ballot.to_json()
    payload["contests"][0] = copied
    leaves[52] = (_voter_entry(built, first, payload), leaves[52][1])
    return Case(5, 52, leaves=leaves)


@case("swap-two-ballots-ciphertexts")
def _swap(built: Built) -> Case:
    a, b = entry_of(built.leaves[49][0])["payload"], entry_of(built.leaves[50][0])["payload"]
    sa, sb = a["contests"][0]["selections"], b["contests"][0]["selections"]
    a["contests"][0]["selections"], b["contests"][0]["selections"] = sb, sa
    leaves = _replace(built, 49, _voter_entry(built, _member_of(built, built.leaves[49][0]), a))
    leaves[50] = (_voter_entry(built, _member_of(built, built.leaves[50][0]), b), leaves[50][1])
    return Case(5, 49, leaves=leaves)


@case("audit-opening-shows-other-choices")
def _audit(built: Built) -> Case:
    raw = built.leaves[AUDIT][0]
    payload = entry_of(raw)["payload"]
    choices = payload["openings"][0]["choices"]
    choices[0] = 1 - choices[0]
    return Case(
        5,
        AUDIT,
        leaves=_replace(
            built, AUDIT, _voter_entry(built, _member_of(built, raw), payload, "audit")
        ),
    )


@case("ballot-built-against-another-paper")
def _another_paper(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        payload["paper"] = bytes(32).hex()

    return Case(5, BALLOT, leaves=_rewrite_ballot(built, BALLOT, change))


@case("audit-opens-a-cast-ballot")
def _audit_of_cast(built: Built) -> Case:
    # Member 1's ballot (leaf 49) is replaced by one whose randomness we know, and member 1's
    # audit (leaf 53) opens exactly that ballot: the ballot never counts (check 6, at it), and
    # the audit should have been refused (check 5, ciphertext_cast).
    scenario = built.scenario
    member = scenario.members[1]
    encrypted = scenario.encrypt(member)
    ballot = _voter_entry(built, member, encrypted.ballot.to_json())
    leaves = _replace(built, 49, ballot)
    audit = _voter_entry(built, member, audit_payload(ballot, encrypted.openings), "audit")
    leaves[AUDIT] = (audit, leaves[AUDIT][1])
    return Case(6, 49, leaves=leaves)


@case("uncompressed-point-encoding")
def _uncompressed(built: Built) -> Case:
    from crypto.group import Point

    def change(payload: dict[str, Any]) -> None:
        selection = payload["contests"][0]["selections"][0]
        point = Point.from_hex(selection["alpha"])
        import coincurve

        selection["alpha"] = coincurve.PublicKey(point.to_bytes()).format(compressed=False).hex()

    return Case(5, BALLOT, leaves=_rewrite_ballot(built, BALLOT, change))


@case("ballot-signature-by-another-credential")
def _ballot_signature(built: Built) -> Case:
    entry = entry_of(built.leaves[BALLOT][0])
    other = entry_of(built.leaves[50][0])
    entry["signature"] = other["signature"]
    return Case(5, BALLOT, leaves=_replace(built, BALLOT, canonical.encode(entry)))


# --- check 6 and 7: counted ballots and the tally --------------------------------------------


@case("drop-a-counted-ballot")
def _drop(built: Built) -> Case:
    leaves = _leaves(built)
    del leaves[50]
    return Case(6, TALLY - 1, leaves=leaves)


@case("alter-the-tally-aggregates")
def _aggregates(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        rows = payload["contests"][0]["aggregates"]
        rows[0], rows[1] = rows[1], rows[0]

    return Case(
        7, TALLY, leaves=_replace(built, TALLY, resign(built.leaves[TALLY][0], change, ADMIN))
    )


@case("alter-the-tally-count")
def _tally_count(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        payload["contests"][0]["ballots"] += 1

    return Case(
        6, TALLY, leaves=_replace(built, TALLY, resign(built.leaves[TALLY][0], change, ADMIN))
    )


@case("tally-before-voting-closed")
def _early_tally(built: Built) -> Case:
    leaves = _leaves(built)
    leaves[TALLY] = (leaves[TALLY][0], NOW + 1)
    return Case(7, TALLY, leaves=leaves)


@case("alter-one-decryption-share")
def _share(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        row = payload["shares"][0]
        row[0]["decryption_share"], row[1]["decryption_share"] = (
            row[1]["decryption_share"],
            row[0]["decryption_share"],
        )

    raw = resign(built.leaves[DECRYPTION][0], change, TRUSTEES[1])
    return Case(7, DECRYPTION, leaves=_replace(built, DECRYPTION, raw))


@case("share-from-a-non-trustee")
def _stranger_share(built: Built) -> Case:
    raw = resign(built.leaves[DECRYPTION][0], lambda p: None, STRANGER)
    return Case(7, DECRYPTION, leaves=_replace(built, DECRYPTION, raw))


@case("share-from-an-unknown-trustee-index")
def _unknown_trustee(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        payload["trustee"] = 6
        for row in payload["shares"]:
            for share in row:
                if share is not None:
                    share["trustee"] = 6

    raw = resign(built.leaves[DECRYPTION][0], change, TRUSTEES[1])
    return Case(7, DECRYPTION, leaves=_replace(built, DECRYPTION, raw))


# --- check 8: the result ---------------------------------------------------------------------


@case("alter-the-winners")
def _winners(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        referendum = payload["contests"][-1]
        referendum["elected"] = ["No"]

    return Case(
        8, RESULT, leaves=_replace(built, RESULT, resign(built.leaves[RESULT][0], change, ADMIN))
    )


@case("break-the-quota-rule")
def _quota(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        # nec-clp: 3 seats, at least 2 women; elect the men instead.
        payload["contests"][0]["elected"] = ["ben", "dan", "ana"]
        payload["contests"][0]["passed_over"] = []

    return Case(
        8, RESULT, leaves=_replace(built, RESULT, resign(built.leaves[RESULT][0], change, ADMIN))
    )


@case("alter-a-count")
def _count(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        payload["contests"][0]["counts"][0] += 1

    return Case(
        8, RESULT, leaves=_replace(built, RESULT, resign(built.leaves[RESULT][0], change, ADMIN))
    )


@case("alter-the-seed")
def _seed(built: Built) -> Case:
    def change(payload: dict[str, Any]) -> None:
        payload["seed"] = "00" * 32

    return Case(
        8, RESULT, leaves=_replace(built, RESULT, resign(built.leaves[RESULT][0], change, ADMIN))
    )


@case("result-before-the-decryptions")
def _early_result(built: Built) -> Case:
    leaves = _leaves(built)
    result = leaves.pop(RESULT)
    leaves.insert(DECRYPTION, (result[0], leaves[DECRYPTION][1]))
    return Case(8, DECRYPTION, leaves=leaves)


# --- the suite -------------------------------------------------------------------------------


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_tampering_is_caught(name: str, built: Built, tmp_path: Path) -> None:
    tampered = CASES[name](built)
    data = tampered.export if tampered.export is not None else export_bytes(tampered.leaves or [])
    report = verify_bytes(data, tmp_path, **tampered.options)
    findings = list(report.findings())
    assert not report.passed, f"{name}: the verifier found nothing"
    found = {(f.check, f.index) for f in findings}
    assert (tampered.check, tampered.index) in found, "\n".join(map(str, findings))
    if tampered.index is not None:
        first = min(f.index for f in findings if f.index is not None)
        assert first == tampered.index, "\n".join(map(str, findings))


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("voting-cut-short-while-voting", "voting_close brought forward after voting opened"),
        ("sth-says-rehearsal-on-a-real-log", "its rehearsal flag is not leaf 0's"),
    ],
)
def test_issue_15_failures_name_their_reason(
    name: str, reason: str, built: Built, tmp_path: Path
) -> None:
    tampered = CASES[name](built)
    data = tampered.export if tampered.export is not None else export_bytes(tampered.leaves or [])
    report = verify_bytes(data, tmp_path, **tampered.options)
    messages = [f.message for f in report.findings() if f.index == tampered.index]
    assert any(reason in m for m in messages), messages
