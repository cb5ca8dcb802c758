"""Spec §11.1-§11.3 The election definition: TOML reading, validation, wire form, styles."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import verivote
from crypto import canonical
from crypto.errors import MalformedInput
from election.definition import BallotStyle, ContestKind, DefinitionError, ElectionDefinition

EXAMPLE = (Path(__file__).resolve().parents[2] / "docs" / "examples" / "election.toml").read_text()


def _example() -> ElectionDefinition:
    return ElectionDefinition.from_toml(EXAMPLE)


def test_example_reads_with_local_times_converted_to_utc() -> None:
    d = _example()
    assert d.id == "nec-2027"
    assert d.threshold == 3
    assert len(d.trustees) == 5
    # 1 December 09:00 London time is GMT, 09:00Z.
    assert d.timetable.to_json()["nominations_open"] == "2026-12-01T09:00:00Z"
    clp = d.contest("nec-clp")
    assert clp.kind is ContestKind.BLOCK
    assert clp.max_selections == 9
    assert clp.constraints[0].minimum == 5
    assert d.contest("rule-change-1").options == ("Yes", "No")


def test_summer_time_offset_is_applied() -> None:
    d = ElectionDefinition.from_toml(EXAMPLE.replace("2027-01-26T12:00:00", "2027-07-01T12:00:00"))
    assert d.timetable.to_json()["voting_close"] == "2027-07-01T11:00:00Z"


def test_wire_form_round_trips_and_is_canonical() -> None:
    d = _example()
    wire = canonical.encode(d.to_json())
    assert ElectionDefinition.from_json(canonical.decode(wire)) == d
    assert d.canonical_bytes() == wire


def test_fingerprint_binds_every_field() -> None:
    base = _example().fingerprint
    assert len(base) == 32
    for old, new in [
        ('title = "National', 'title = "Regional'),
        ("min = 5", "min = 4"),
        ("threshold = 3", "threshold = 2"),
        ('sections = ["youth"]', 'sections = ["bame"]'),
        ("quorum = 2", "quorum = 1"),
        ('name = "Staff Union"', 'name = "Staff Union Branch"'),
    ]:
        assert ElectionDefinition.from_toml(EXAMPLE.replace(old, new, 1)).fingerprint != base


INVALID = {
    "not-toml": ("version = 1", "version = ", "not valid TOML"),
    "bad-id": ('id = "nec-2027"', 'id = "NEC 2027"', "id: must be"),
    "unknown-top-level-key": (
        "version = 1",
        'version = 1\ncolour = "red"',
        "unknown key(s) colour",
    ),
    "unknown-contest-key": ("seats = 9", "seats = 9\nseat = 9", "unknown field(s) seat"),
    "unknown-constraint-key": ("min = 5 }", "min = 5, mni = 5 }", "unknown field(s) mni"),
    "voting-before-nominations-close": (
        "voting_open = 2027-01-05T09:00:00",
        "voting_open = 2026-12-10T09:00:00",
        "voting cannot open before nominations close",
    ),
    "keys-after-ceremony": (
        "trustee_keys_close = 2026-12-18T17:00:00",
        "trustee_keys_close = 2026-12-22T17:00:00",
        "trustee keys must close before the ceremony closes",
    ),
    "ceremony-after-voting-opens": (
        "ceremony_close = 2026-12-22T17:00:00",
        "ceremony_close = 2027-01-05T09:00:00",
        "the key ceremony must close before voting opens",
    ),
    "missing-ceremony-close": (
        "ceremony_close = 2026-12-22T17:00:00",
        "",
        "missing field(s) ceremony_close",
    ),
    "close-before-open": (
        "voting_close = 2027-01-26T12:00:00",
        "voting_close = 2027-01-05T08:00:00",
        "voting must open before it closes",
    ),
    "time-not-datetime": (
        "voting_close = 2027-01-26T12:00:00",
        'voting_close = "tomorrow"',
        "must be a TOML date-time",
    ),
    "missing-timetable-entry": (
        "voting_close = 2027-01-26T12:00:00\n",
        "",
        "missing field(s) voting_close",
    ),
    "threshold-above-n": ("threshold = 3", "threshold = 6", "between 1 and 5"),
    "threshold-zero": ("threshold = 3", "threshold = 0", "between 1 and 5"),
    "short-key": (
        'name = "Trustee One",   key = "',
        'name = "Trustee One",   key = "00',
        "trustees.members[0].key",
    ),
    "unknown-section": (
        'sections = ["youth"]',
        'sections = ["youthh"]',
        "unknown roll section 'youthh'",
    ),
    "duplicate-contest-id": ('id = "bame-rep"', 'id = "youth-rep"', "ids must be distinct"),
    "block-max-above-seats": ("seats = 9 ", "seats = 9\nmax_selections = 10 ", "max_selections"),
    "constraint-min-above-seats": ("min = 5", "min = 10", "more than the 9 seats"),
    "constraint-max-below-min": ("min = 5 }", "min = 5, max = 4 }", "max is below min"),
    "referendum-one-option": ('options = ["Yes", "No"]', 'options = ["Yes"]', "at least 2 options"),
    "referendum-without-question": (
        'question = "Should conference adopt rule change 1?"\n',
        "",
        "needs a question",
    ),
    "ranked-without-method": ('kind = "block"\nseats = 9', 'kind = "ranked"\nseats = 9', "method"),
    "ranking-longer-than-embedding": (
        'kind = "block"\nseats = 9',
        'kind = "ranked"\nmethod = "scottish"\nmax_selections = 30\nseats = 9',
        "at most 29 preferences",
    ),
    "unknown-kind": ('kind = "block"\nseats = 9', 'kind = "borda"\nseats = 9', "must be one of"),
    "bad-time-zone": (
        'time_zone = "Europe/London"',
        'time_zone = "Mars/Olympus"',
        "unknown time zone",
    ),
    "witness-quorum-above-members": ("quorum = 2", "quorum = 4", "witnesses.quorum: must be"),
    "witness-quorum-negative": ("quorum = 2", "quorum = -1", "witnesses.quorum: must be"),
    "witness-short-key": (
        'name = "Staff Union",                   key = "',
        'name = "Staff Union",                   key = "00',
        "witnesses.members[2].key",
    ),
    "witness-same-name": (
        'name = "Staff Union"',
        'name = "The Morning Herald"',
        "witnesses.members: names and keys must be distinct",
    ),
    "unknown-witnesses-key": ("quorum = 2", "quorum = 2\nqorum = 2", "unknown field(s) qorum"),
    "text-with-outer-space": (
        'title = "NEC: youth',
        'title = " NEC: youth',
        "without outer spaces",
    ),
}


@pytest.mark.parametrize("name", INVALID)
def test_invalid_definitions_are_refused_with_the_key_named(name: str) -> None:
    old, new, message = INVALID[name]
    assert old in EXAMPLE, f"mutation {name} does not apply"
    with pytest.raises(DefinitionError) as info:
        ElectionDefinition.from_toml(EXAMPLE.replace(old, new, 1), source="x.toml")
    assert str(info.value).startswith("x.toml: ")
    assert message in str(info.value)


def test_example_lists_three_witnesses_two_required() -> None:
    d = _example()
    assert d.witness_quorum == 2
    assert [w.name for w in d.witnesses][1] == "The Morning Herald"
    assert d.to_json()["witnesses"]["quorum"] == 2


def test_without_witnesses_the_quorum_is_zero_and_the_quorum_defaults_to_all() -> None:
    start, end = EXAMPLE.index("[witnesses]"), EXAMPLE.index("[[contests]]")
    bare = ElectionDefinition.from_toml(EXAMPLE[:start] + EXAMPLE[end:])
    assert bare.to_json()["witnesses"] == {"quorum": 0, "members": []}
    assert not bare.witnesses
    every = ElectionDefinition.from_toml(EXAMPLE.replace("quorum = 2\n", "", 1))
    assert every.witness_quorum == 3


@pytest.mark.parametrize("role", ["administrator", "issuer", "trustee"])
def test_a_witness_key_of_another_role_is_refused(role: str) -> None:
    d = _example().to_json()
    other = d["trustees"]["members"][0] if role == "trustee" else d[role]
    d["witnesses"]["members"][1]["key"] = other["key"]
    with pytest.raises(DefinitionError, match="a witness key is another role's key"):
        ElectionDefinition.from_json(d)


def test_shared_keys_are_refused() -> None:
    d = _example().to_json()
    d["issuer"]["key"] = d["administrator"]["key"]
    with pytest.raises(DefinitionError, match="distinct keys"):
        ElectionDefinition.from_json(d)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("version", 2, "version: unsupported definition version 2"),
        ("contests", "x", "contests must be a list, got str"),
        ("trustees", {"threshold": 1}, r"trustees: missing field\(s\) members"),
        ("witnesses", {"members": []}, r"witnesses: missing field\(s\) quorum"),
        ("witnesses", {"quorum": 0, "members": "x"}, "witnesses.members must be a list, got str"),
        ("sections", [1], r"sections\[0\] must be a string, got int"),
    ],
)
def test_wire_form_is_parsed_strictly(field: str, value: object, reason: str) -> None:
    d = _example().to_json()
    d[field] = value
    with pytest.raises(MalformedInput, match=reason):
        ElectionDefinition.from_json(d)


def test_ballot_styles_follow_sections() -> None:
    d = _example()
    assert d.style_for(["member"]) == BallotStyle(("nec-clp", "rule-change-1"))
    both = d.style_for(["member", "youth", "bame"])
    assert both is not None
    assert both.id == "nec-clp+youth-rep+bame-rep+rule-change-1"
    restricted = ElectionDefinition.from_toml(
        EXAMPLE.replace('id = "nec-clp"', 'id = "nec-clp"\nsections = ["member"]').replace(
            'id = "rule-change-1"', 'id = "rule-change-1"\nsections = ["member"]'
        )
    )
    assert restricted.style_for(["youth"]) == BallotStyle(("youth-rep",))
    assert restricted.style_for(["bame"]) == BallotStyle(("bame-rep",))
    assert restricted.style_for([]) is None


def test_cli_check(tmp_path: Path) -> None:
    runner = CliRunner()
    good = tmp_path / "election.toml"
    good.write_text(EXAMPLE)
    result = runner.invoke(verivote, ["election", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert _example().fingerprint.hex() in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text(EXAMPLE.replace("threshold = 3", "threshold = 9"))
    result = runner.invoke(verivote, ["election", "check", str(bad)])
    assert result.exit_code == 2
    assert "trustees.threshold: must be between 1 and 5" in result.output
    assert "Traceback" not in result.output


def test_an_election_toml_saved_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    """Issue 15 item 7: an editor's "UTF-8 with BOM" (and CRLF line ends) is the same file, not
    "not valid TOML: Invalid statement (line 1, column 1)"."""
    assert ElectionDefinition.from_toml("\ufeff" + EXAMPLE) == _example()
    saved = tmp_path / "election.toml"
    saved.write_bytes("\ufeff".encode() + EXAMPLE.replace("\n", "\r\n").encode())
    result = CliRunner().invoke(verivote, ["election", "check", str(saved)])
    assert result.exit_code == 0, result.output
    assert _example().fingerprint.hex() in result.output
