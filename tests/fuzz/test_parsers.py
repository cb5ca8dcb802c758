"""Property-based fuzzing (hypothesis) of every parser a verifier or a client runs on untrusted
bytes (issue 16 item 7): each refuses what it cannot read with one error family, MalformedInput
or the documented VerificationFailed family (a failed signature, proof, inclusion or
consistency check), and never raises anything else.

Inputs are mostly mutations of real documents (tests/strategies.py ``mutated_json`` and
``mutated_bytes``): the entries, leaves, tree heads and export of a whole election built with
real crypto (tests/verifier/election.py), the receipt file of tests/vectors/receipts, and the
shuffle proofs and list decryptions of tests/vectors/mixnet; near a valid document the deeper
checks run; the credential index's answers (tests/vectors/credential_index) are read as
``verivote receipt check`` reads them. Each test first checks that its seeds are accepted, so
that a mutation is the only reason for a refusal.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulletin_board.cosignature import Cosignature
from bulletin_board.credential_index import IndexAnswer
from bulletin_board.export import verify_export
from bulletin_board.wire import ED25519, ED25519_ROLES, Leaf, Receipt, SignedTreeHead
from crypto import canonical
from crypto.credentials import CredentialCode
from crypto.elgamal import Ciphertext, PublicKey
from crypto.envelope import Entry, parse_entry
from crypto.errors import MalformedInput, VerificationFailed
from crypto.group import Point, Scalar, g_pow
from crypto.merkle import verify_consistency, verify_inclusion
from crypto.shuffle import ShuffleProof, ShuffleStatement, check_shuffle_proof
from crypto.threshold import ListPartialDecryption, verify_list_partial_decryption
from crypto.wire import parse_hex
from election import rules
from election.rules import ElectionParameters, ElectionState
from election.wire import (
    BoothRelease,
    CredentialReissue,
    CredentialScheme,
    Decision,
    Exclusion,
    TimetableChange,
    election_schemes,
    parse_receipt_file,
)
from tests.election.scenario import DEFINITION, ELECTION
from tests.fuzz.budget import Figures, budget
from tests.strategies import any_json_values, hex_strings, mutated_bytes, mutated_json
from tests.verifier.election import Built, export_bytes
from verifier import verify_export_file

T = TypeVar("T")
REFUSALS = (MalformedInput, VerificationFailed)
VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def attempt(figures: Figures, parse: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``parse(*args, **kwargs)``, or None if it refused with the one error family; anything
    else it raises fails the test (and hypothesis shrinks the input)."""
    figures.inputs += 1
    try:
        return parse(*args, **kwargs)
    except REFUSALS:
        return None


def _lines(built: Built) -> list[bytes]:
    return export_bytes(built.leaves).splitlines(keepends=True)


def _objects(built: Built, key: str) -> list[Any]:
    """The ``key`` member of every export line that starts with it (leaves, tree heads)."""
    prefix = b'{"' + key.encode()
    lines = [canonical.decode(line[:-1]) for line in _lines(built) if line.startswith(prefix)]
    return [line[key] for line in lines if isinstance(line, dict)]


def _election(_built: Built) -> str:
    return ELECTION


def _schemes(_built: Built) -> Any:
    return election_schemes(DEFINITION.fingerprint)


# --- canonical JSON, hex and the group's encodings --------------------------------------------


@pytest.fixture(scope="module")
def documents(election: Built) -> list[bytes]:
    receipts = json.loads((VECTORS / "receipts" / "receipts.json").read_text())
    return [*(line[:-1] for line in _lines(election)[:40]), receipts["receipt_file"].encode()]


@budget(150, 5000)
@given(data=st.data())
def test_canonical_json(data: st.DataObject, documents: list[bytes], figures: Figures) -> None:
    """Spec §4.2: MalformedInput (NonCanonicalEncoding included), or the exact canonical bytes."""
    raw = data.draw(
        st.binary(max_size=64)
        | st.sampled_from(documents).flatmap(mutated_bytes)
        | st.tuples(any_json_values, st.booleans()).map(
            lambda v: json.dumps(v[0], ensure_ascii=v[1]).encode("utf-8", "surrogatepass")
        )
    )
    value = attempt(figures, canonical.decode, raw)
    if value is not None or raw == b"null":
        assert canonical.encode(value) == raw


@budget(300)
@given(text=hex_strings | st.text(max_size=70), length=st.sampled_from([0, 1, 16, 32, 33]))
def test_hex_points_scalars_and_codes(text: str, length: int, figures: Figures) -> None:
    """Spec §1.2, §2.2, §2.3, §8.3: only MalformedInput; what is accepted is canonical."""
    data = attempt(figures, parse_hex, text, length, "field")
    if data is not None:
        assert data.hex() == text
    point = attempt(figures, Point.from_hex, text)
    if point is not None:
        assert point.to_hex() == text
    scalar = attempt(figures, Scalar.from_hex, text)
    if scalar is not None:
        assert scalar.to_hex() == text
    attempt(figures, CredentialCode.parse, text)
    attempt(figures, Ciphertext.from_json, {"alpha": text, "beta": text})
    attempt(figures, PublicKey.from_hex, text)


# --- entries, leaves, tree heads, receipts, receipt files ---------------------------------------


@budget(100)
@given(data=st.data())
def test_entries(data: st.DataObject, election: Built, figures: Figures) -> None:
    """Spec §10.1 an entry's bytes: envelope, author, signature (Ed25519 or credential)."""
    raw, _ = data.draw(st.sampled_from(election.leaves))
    mutant = data.draw(
        mutated_bytes(raw) | mutated_json(canonical.decode(raw)).map(_encode_or_junk)
    )
    attempt(figures, parse_entry, mutant, _schemes(election), election=_election(election))


@budget(60)
@given(data=st.data())
def test_leaves_and_tree_heads(data: st.DataObject, election: Built, figures: Figures) -> None:
    """Spec §10.1 a leaf (index, received, entry), §10.2 a signed tree head, §10.5 a witness's
    cosignature (the known answer's, mutated)."""
    leaf = data.draw(st.sampled_from(_objects(election, "leaf")))
    mutant = data.draw(_mutants(leaf))
    attempt(figures, Leaf.from_bytes, mutant, _schemes(election), election=_election(election))
    head = data.draw(st.sampled_from(_objects(election, "sth")))
    attempt(figures, SignedTreeHead.from_bytes, data.draw(_mutants(head)))
    cosignature = json.loads((VECTORS / "cosignatures" / "cosignatures.json").read_text())
    attempt(
        figures, Cosignature.from_bytes, data.draw(_mutants(json.loads(cosignature["cosignature"])))
    )


def _mutants(value: Any) -> st.SearchStrategy[bytes]:
    """``value``'s canonical bytes with a change, made to the JSON or to the bytes."""
    return mutated_json(value).map(_encode_or_junk) | mutated_bytes(canonical.encode(value))


def _receipt_vector() -> tuple[bytes, Any]:
    vector = json.loads((VECTORS / "receipts" / "receipts.json").read_text())
    schemes = {
        **dict.fromkeys(ED25519_ROLES, ED25519),
        "voter": CredentialScheme(bytes.fromhex(vector["fingerprint"])),
    }
    return vector["receipt_file"].encode(), schemes


def read_receipt_file(data: bytes, schemes: Any) -> Receipt:
    """Spec §11.13 step 1, as cli/receipt.py and the verifier read a receipt file."""
    document = parse_receipt_file(data)
    receipt = Receipt.from_json(dict(document.receipt), schemes)
    document.check_tracker()
    return receipt


@budget(60)
@given(data=st.data())
def test_receipts_and_receipt_files(data: st.DataObject, figures: Figures) -> None:
    """Spec §10.3 a receipt (leaf, tree head, inclusion proof), §11.13 the file around it."""
    file, schemes = _receipt_vector()
    assert read_receipt_file(file, schemes)  # the seed is valid
    document: Any = canonical.decode(file.strip())
    mutant = data.draw(
        mutated_bytes(file)
        | mutated_json(document).map(lambda d: _encode_or_junk(d) + b"\n")
        | mutated_json(document["receipt"]).map(
            lambda r: _encode_or_junk({**document, "receipt": r}) + b"\n"
        )
    )
    receipt = attempt(figures, read_receipt_file, mutant, schemes)
    if receipt is not None:
        attempt(figures, receipt.check, entry=receipt.leaf.entry.raw, board_key=bytes(32))


def _index_answers() -> list[tuple[Any, bytes]]:
    """The accepted answers of the index vector (a record, and absences with their
    neighbours): (answer, credential asked for)."""
    vector = json.loads((VECTORS / "credential_index" / "index.json").read_text())
    return [
        (case["answer"], bytes.fromhex(case["credential"]))
        for case in vector["answers"]
        if case["error"] == "none"
    ]


def read_index_answer(data: bytes, credential: bytes) -> IndexAnswer:
    """Spec §11.15 A board's answer from its credential index, as ``BoardClient``'s
    ``credential_index`` reads it for ``verivote receipt check`` (the tree head's key is then
    checked against leaf 0's)."""
    return IndexAnswer.check(canonical.decode(data), credential)


@budget(300, 5000)
@given(data=st.data())
def test_credential_index_answers(data: st.DataObject, figures: Figures) -> None:
    """Spec §11.15 an answer of the credential index: its head (a signed tree head and the
    index root), the record and its index proof, or an absence and its neighbours; asked for
    its own credential or another."""
    seeds = _index_answers()
    for answer, credential in seeds:
        assert read_index_answer(canonical.encode(answer), credential)  # the seeds are valid
    answer, credential = data.draw(st.sampled_from(seeds))
    mutant = data.draw(_mutants(answer))
    if data.draw(st.integers(0, 9)) == 0:
        credential = data.draw(st.sampled_from([c for _, c in seeds]) | st.binary(max_size=34))
    attempt(figures, read_index_answer, mutant, credential)


def _encode_or_junk(value: Any) -> bytes:
    try:
        return canonical.encode(value)
    except MalformedInput:
        return b"\x00not json"


# --- every payload type's wire parser -----------------------------------------------------------


def _fold(built: Built) -> tuple[ElectionParameters, list[Entry]]:
    schemes, name = _schemes(built), _election(built)
    entries = [parse_entry(raw, schemes, election=name) for raw, _ in built.leaves]
    state = ElectionState(name, leaves=lambda i: entries[i])
    for index, ((_, received), entry) in enumerate(zip(built.leaves, entries, strict=True)):
        if index:
            rules.apply(state, entry, index=index, received=received)
    assert state.params is not None
    return state.params, entries[1:]


def _more_payloads(entries: list[Entry]) -> Iterator[Entry]:
    """Seeds for the entry types the built election has none of."""
    admin = next(e for e in entries if e.role == "administrator")
    when = datetime(2027, 5, 1, tzinfo=UTC)
    for type_, payload in (
        ("timetable-change", TimetableChange("voting_close", when, "Extended").to_json()),
        ("exclusion", Exclusion("nec", "ann", "Withdrew").to_json()),
        ("decision", Decision("Count", "The count starts at 9", "Venue").to_json()),
        ("booth-release", BoothRelease.of_files({"index.html": b"<p>"}, version="1").to_json()),
    ):
        yield replace(admin, type=type_, payload=payload)
    complaint = json.loads(
        (VECTORS / "threshold" / "ceremony_2_of_3_with_complaint.json").read_text()
    )["complaints"][0]["message"]
    trustee = next(e for e in entries if e.role == "trustee")
    yield replace(trustee, type="complaint", payload={"complaint": complaint})
    part = next(e for e in entries if e.type == "credentials").payload
    revoked, credential = Point.from_hex(part["credentials"][0]), g_pow(Scalar(12345))
    reissue = CredentialReissue(part["style"], revoked, credential, "Letter lost in the post")
    issuer = next(e for e in entries if e.role == "issuer")
    yield replace(issuer, type="credential-reissue", payload=reissue.to_json())


@pytest.fixture(scope="module")
def payloads(election: Built) -> tuple[ElectionParameters, list[Entry]]:
    params, entries = _fold(election)
    return params, entries + list(_more_payloads(entries))


@budget(300)
@given(data=st.data())
def test_payloads(
    data: st.DataObject, payloads: tuple[ElectionParameters, list[Entry]], figures: Figures
) -> None:
    """Spec §11.4 every entry type's payload reader (``election.rules.precheck``: the parse
    against the definition, and for a ballot or an audit every proof)."""
    params, entries = payloads
    entry = data.draw(st.sampled_from(entries))
    mutant = replace(entry, payload=data.draw(mutated_json(dict(entry.payload))))
    attempt(figures, rules.precheck, params, mutant, verify=data.draw(st.booleans()))


def test_the_payload_seeds_parse(payloads: tuple[ElectionParameters, list[Entry]]) -> None:
    params, entries = payloads
    kinds = set()
    for entry in entries:
        rules.precheck(params, entry, verify=False)
        kinds.add(entry.type)
    assert kinds == set(rules.ENTRY_RULES), set(rules.ENTRY_RULES) - kinds


# --- exports: line by line and whole -------------------------------------------------------------


@budget(25, 600)
@given(data=st.data())
def test_exports(data: st.DataObject, election: Built, tmp_path: Path, figures: Figures) -> None:
    """Spec §10.4 an export: one line changed (as JSON or as bytes), or lines dropped,
    repeated, swapped or cut; read by the board's reader (``verivote board verify-export``)
    and by the whole verifier (§13), which reports a failed check or raises UnreadableInput."""
    lines = _lines(election)
    i = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
    op = data.draw(st.sampled_from(["json", "bytes", "drop", "repeat", "swap", "cut"]))
    if op == "json":
        lines[i] = _encode_or_junk(data.draw(mutated_json(canonical.decode(lines[i][:-1])))) + b"\n"
    elif op == "bytes":
        lines[i] = data.draw(mutated_bytes(lines[i]))
    elif op == "drop":
        del lines[i]
    elif op == "repeat":
        lines.insert(i, lines[i])
    elif op == "swap":
        j = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    else:
        del lines[i:]
    mutant = b"".join(lines)
    attempt(figures, verify_export, io.BytesIO(mutant), _schemes(election))
    path = tmp_path / "export.jsonl"
    path.write_bytes(mutant)
    report = attempt(figures, verify_export_file, path, jobs=1)
    if report is not None and report.passed:
        assert mutant == export_bytes(election.leaves), "a changed export verified"


# --- Merkle proofs ------------------------------------------------------------------------------

_sizes = st.sampled_from([0, 1, 2, 3, 7, 8, 9, 2**31, 2**53 - 1, 2**64, -1]) | st.integers(0, 64)
_hashes = st.lists(st.binary(min_size=32, max_size=32) | st.binary(max_size=40), max_size=70)


@budget(300)
@given(
    index=_sizes,
    size=_sizes,
    other=_sizes,
    proof=_hashes,
    leaf=st.binary(max_size=33),
    root=st.binary(max_size=33),
)
def test_merkle_proofs(
    index: int, size: int, other: int, proof: list[bytes], leaf: bytes, root: bytes,
    figures: Figures,
) -> None:  # fmt: skip
    """Spec §9.2 inclusion and §9.3 consistency proofs with any sizes, indices and hashes."""
    attempt(figures, verify_inclusion, leaf_hash=leaf, index=index, tree_size=size,
            proof=proof, root=root)  # fmt: skip
    attempt(figures, verify_consistency, old_size=other, new_size=size, old_root=leaf,
            new_root=root, proof=proof)  # fmt: skip


# --- the mixnet's wire forms --------------------------------------------------------------------


def _vectors(name: str) -> list[dict[str, Any]]:
    return json.loads((VECTORS / "mixnet" / f"{name}.json").read_text())["vectors"]  # type: ignore[no-any-return]


@budget(40, 1000)
@given(data=st.data())
def test_shuffle_proofs(data: st.DataObject, figures: Figures) -> None:
    """Spec §6.8 a proof of a shuffle: its wire form against its statement's size, then the
    check of the parsed proof (and of a statement whose outputs were tampered with)."""
    v = data.draw(st.sampled_from(_vectors("shuffle")))
    outputs = [Ciphertext.from_json(c) for c in v["outputs"]]
    tamper = data.draw(st.booleans())
    if outputs and tamper:
        i = data.draw(st.integers(min_value=0, max_value=len(outputs) - 1))
        changed = attempt(figures, Ciphertext.from_json, data.draw(mutated_json(v["outputs"][i])))
        outputs[i] = changed if changed is not None else outputs[i]
    statement = ShuffleStatement(
        PublicKey.from_hex(v["public_key"]),
        tuple(Ciphertext.from_json(c) for c in v["inputs"]),
        tuple(outputs),
        bytes.fromhex(v["context"]),
        bytes.fromhex(v["generator_seed"]),
    )
    size = len(v["inputs"]) + data.draw(st.sampled_from([0, 0, 0, 1, -1]))
    proof = attempt(figures, ShuffleProof.from_json, data.draw(mutated_json(v["proof"])), size=size)
    if proof is not None:
        attempt(figures, check_shuffle_proof, proof, statement, batched=data.draw(st.booleans()))


@budget(100, 2500)
@given(data=st.data())
def test_list_decryptions(data: st.DataObject, figures: Figures) -> None:
    """Spec §7.8 a trustee's decryption of a list: wire form, then its DLEQ proof."""
    v = data.draw(st.sampled_from(_vectors("list_decryption")))
    alphas = [Point.from_hex(a) for a in v["alphas"]]
    size = len(alphas) + data.draw(st.sampled_from([0, 0, 0, 1, -1]))
    partial = attempt(
        figures, ListPartialDecryption.from_json, data.draw(mutated_json(v["wire"])), size=size
    )
    if partial is not None:
        attempt(
            figures,
            verify_list_partial_decryption,
            partial,
            alphas=alphas,
            verification_key=Point.from_hex(v["verification_key"]),
            context=bytes.fromhex(v["context"]),
        )
