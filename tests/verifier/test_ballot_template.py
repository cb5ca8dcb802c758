"""Reading a ballot entry from its bytes (verifier/_ballot_template.py, FastReader.read_entry)
accepts exactly what parsing accepts, and reads the same ballot: on a real election whose
style is all homomorphic (a block contest with its total proof, a referendum), every ballot is
read from its bytes, equal to the parsed reading; any change to an entry's bytes is either
refused (left to the parsers) or gives an entry the parsers accept and read the same way; and
the verifier's verdicts, products and rankings are the plain path's, tampered ballots
included, each refused for the plain path's reason."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto import canonical
from crypto.group import N, Point, Scalar
from crypto.signing import SigningKey
from election.voter import sign_voter_entry
from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder
from simulation.device import Member
from simulation.plan import ElectionPlan, Nominee, RoleKeys, Timetable, contest_toml
from tests.verifier.election import entry_of
from tests.verifier.paths import both_paths, bump_challenge, bump_response, plain_path
from verifier._ballot_template import Template
from verifier._ballots import BallotContext, Item, _parsed, _read_entry, verify_batch
from verifier._fast_ballots import FastBallot, FastReader

BOARD = SigningKey(bytes([78] * 32))
ELECTION = "template"


@dataclass
class Demo:
    context: BallotContext
    items: list[Item]
    members: dict[bytes, Member]  # by credential

    @property
    def reader(self) -> FastReader:
        return _parsed(self.context).reader

    def ballot(self) -> Item:
        return next(item for item in self.items if item[1] == "ballot")


def _plan(members: int) -> ElectionPlan:
    nominees = {
        "nec": [
            Nominee(f"c{i}", f"Candidate {i}", {"gender": "woman" if i % 2 else "man"}, ("B",))
            for i in range(6)
        ]
    }
    contests = contest_toml("nec", "NEC", "block", seats=3) + contest_toml(
        "rule", "Rule", "referendum", question="Adopt?", options=["Yes", "No"]
    )
    return ElectionPlan(
        election=ELECTION,
        contests=contests,
        nominees=nominees,
        title="Template election",
        time_zone="UTC",
        absent=frozenset({4, 5}),
        start=datetime(2026, 12, 31, tzinfo=UTC),
        timetable=Timetable(1, 10, 20, 30),
        members=members,
    )


@pytest.fixture(scope="module")
def demo() -> Demo:
    plan = _plan(4)
    board = MemoryBoard(plan.election, created=plan.at(0), checked=False)
    builder = ElectionBuilder(plan, board, keys=RoleKeys.fixed_for_testing(5), rng=random.Random(7))
    builder.prepare()
    rng = random.Random(8)
    for member in builder.members:
        marks = sorted(rng.sample(range(6), rng.randint(0, 3)))
        builder.vote(member, {"nec": marks, "rule": [rng.randrange(2)]})
    builder.audit(builder.members[0], {"nec": [1], "rule": [0]})
    lists: list[bytes] = []
    key = definition = b""
    items: list[Item] = []
    for index, (raw, _) in enumerate(board.leaves(BOARD)):
        entry = entry_of(raw)
        if entry["type"] == "election-definition":
            definition = canonical.encode(entry["payload"]["definition"])
        elif entry["type"] == "candidate-list":
            lists.append(raw)
        elif entry["type"] == "election-key":
            key = canonical.encode(entry["payload"])
        elif entry["type"] in ("ballot", "audit"):
            items.append((index, entry["type"], bytes.fromhex(entry["author"]["key"]), raw))
    members = {m.key.public.to_bytes(): m for m in builder.members}
    return Demo(BallotContext(ELECTION, definition, tuple(lists), key), items, members)


def _parsed_reading(demo: Demo, index: int, raw: bytes, key: bytes) -> FastBallot | None:
    entry = _read_entry(raw, _parsed(demo.context), ELECTION, "ballot", key)
    return demo.reader.read(index, entry.payload, Point.from_bytes(key))


def test_every_ballot_is_read_from_its_bytes_as_parsing_reads_it(demo: Demo) -> None:
    ballots = [item for item in demo.items if item[1] == "ballot"]
    assert len(ballots) == 4
    for index, _, key, raw in ballots:
        quick = demo.reader.read_entry(index, raw, key)
        assert quick is not None, index
        ballot, holes = quick
        assert ballot == _parsed_reading(demo, index, raw, key)
        entry = _read_entry(raw, _parsed(demo.context), ELECTION, "ballot", key)
        assert (holes.signed, holes.signature) == (entry.signed_bytes(), entry.signature)
        # Two contests: the block's range proofs and total, the referendum's.
        assert [column[0] for column in ballot.columns] == ["nec", "rule"]
        assert len(ballot.proofs) == 6 + 1 + 2 + 1
    # An audit is not a ballot: left to the parsers.
    index, _, key, raw = next(item for item in demo.items if item[1] == "audit")
    assert demo.reader.read_entry(index, raw, key) is None


def test_the_template_is_the_canonical_encoding_of_a_ballot_entry(demo: Demo) -> None:
    index, _, key, raw = demo.ballot()
    reader = demo.reader
    entry = entry_of(raw)
    style = entry["payload"]["style"]
    template = Template(ELECTION, style, reader._paper, reader.layout.style(style))
    assert template.read(raw) is not None
    # The same bytes with any key order or white space of JSON are not the template.
    assert template.read(b" " + raw) is None
    assert template.read(raw[:-1] + b" }") is None
    assert template.read(canonical.encode(entry).replace(b'","type"', b'", "type"')) is None
    # Nor another author's entry, nor under another election.
    assert reader.read_entry(index, raw, key) is not None
    other_key = next(k for k in demo.members if k != key)
    assert reader.read_entry(index, raw, other_key) is None
    other = Template("another", style, reader._paper, reader.layout.style(style))
    assert other.read(raw) is None


# Bytes a change puts in: hex digits of both cases, JSON's structure, white space, a quote.
_BYTES = st.sampled_from(b'0123456789abcdefABCDEF{}[],:" \n-x\\')


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_a_changed_entry_is_refused_or_read_as_parsing_reads_it(demo: Demo, data: Any) -> None:
    """Whatever one change to a ballot entry's bytes (a byte replaced, put in or taken out):
    if read_entry accepts the result, the parsers accept it too and read the same ballot."""
    index, _, key, raw = demo.ballot()
    at = data.draw(st.integers(0, len(raw) - 1))
    how = data.draw(st.sampled_from(["replace", "insert", "delete"]))
    byte = bytes([data.draw(_BYTES)])
    changed = {
        "replace": raw[:at] + byte + raw[at + 1 :],
        "insert": raw[:at] + byte + raw[at:],
        "delete": raw[:at] + raw[at + 1 :],
    }[how]
    quick = demo.reader.read_entry(index, changed, key)
    if quick is None:
        return
    ballot, holes = quick
    entry = _read_entry(changed, _parsed(demo.context), ELECTION, "ballot", key)
    assert ballot == demo.reader.read(index, entry.payload, Point.from_bytes(key))
    assert (holes.signed, holes.signature) == (entry.signed_bytes(), entry.signature)


def _both_matchers(demo: Demo, raw: bytes) -> tuple[Template, Template]:
    """The template of ``raw``'s style checked by the C extension, and by the regular expression."""
    reader, style = demo.reader, entry_of(raw)["payload"]["style"]
    shapes = reader.layout.style(style)
    with_c = Template(ELECTION, style, reader._paper, shapes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(canonical, "FILLED", None)
        with_regex = Template(ELECTION, style, reader._paper, shapes)
    return with_c, with_regex


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_the_c_check_and_the_regular_expression_agree(demo: Demo, data: Any) -> None:
    """crypto/_canonical.c's ``filled`` accepts a changed entry exactly when the template's
    regular expression does: a byte replaced, put in or taken out anywhere, or two bytes
    swapped (a hex digit into the text, a quote into a hole)."""
    assert canonical.FILLED is not None, "the C extension is not built"
    _, _, _, raw = demo.ballot()
    with_c, with_regex = _both_matchers(demo, raw)
    at = data.draw(st.integers(0, len(raw) - 1))
    other = data.draw(st.integers(0, len(raw) - 1))
    byte = bytes([data.draw(_BYTES)])
    for changed in (
        raw[:at] + byte + raw[at + 1 :],
        raw[:at] + byte + raw[at:],
        raw[:at] + raw[at + 1 :],
        bytes(raw[other] if i == at else raw[at] if i == other else b for i, b in enumerate(raw)),
    ):
        assert (with_c.read(changed) is None) == (with_regex.read(changed) is None)
        assert with_c.read(changed) == with_regex.read(changed)
    assert with_c.read(raw) == with_regex.read(raw) is not None


def _bump_total_response(payload: dict[str, Any]) -> None:
    branch = payload["contests"][0]["total"]["branches"][0]
    branch["response"] = Scalar((int(branch["response"], 16) + 1) % N).to_hex()


def _upper_case_beta(payload: dict[str, Any]) -> None:
    selection = payload["contests"][1]["selections"][1]
    selection["beta"] = selection["beta"].upper()


def _swap_contests(payload: dict[str, Any]) -> None:
    payload["contests"].reverse()


# Per change: the plain path's reason, and whether read_entry accepts the entry's bytes (so
# that the batch's combined equation is what fails).
TAMPERS: dict[str, tuple[Callable[[dict[str, Any]], None], str, bool]] = {
    "a range proof's response": (bump_response, "range proof", True),
    "a total proof's response": (_bump_total_response, "total", True),
    "a challenge": (bump_challenge, "challenges do not sum to the hash", False),
    "upper-case hex": (_upper_case_beta, "lower-case", False),
    "contests out of order": (_swap_contests, "contest", False),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_a_tampered_ballot_gets_the_plain_paths_verdict(name: str, demo: Demo) -> None:
    items = list(demo.items)
    at = next(i for i, item in enumerate(items) if item[1] == "ballot")
    index, kind, key, raw = items[at]
    payload = entry_of(raw)["payload"]
    tamper, reason, accepted = TAMPERS[name]
    tamper(payload)
    credential = demo.members[key].key
    forged = sign_voter_entry(election=ELECTION, type=kind, payload=payload, credential=credential)
    items[at] = (index, kind, key, forged)
    assert (demo.reader.read_entry(index, forged, key) is not None) is accepted
    fast, plain = both_paths(demo.context, items)
    assert fast == plain
    verdict = fast.verdicts[at]
    assert verdict.check == 5, verdict
    assert reason in verdict.error, verdict
    assert all(v.check == 0 for i, v in enumerate(fast.verdicts) if i != at)


def test_a_bad_signature_is_refused_as_when_parsed(demo: Demo) -> None:
    items = list(demo.items)
    at = next(i for i, item in enumerate(items) if item[1] == "ballot")
    index, kind, key, raw = items[at]
    signature = entry_of(raw)["signature"]
    forged = raw.replace(signature.encode(), ("0" * 64 + signature[64:]).encode())
    items[at] = (index, kind, key, forged)
    assert demo.reader.read_entry(index, forged, key) is not None
    verdict = verify_batch(demo.context, items).verdicts[at]
    assert verdict.check == 5
    assert verdict.error.startswith("ballot signature:"), verdict
    with plain_path(demo.context):
        assert verify_batch(demo.context, items).verdicts[at] == verdict
