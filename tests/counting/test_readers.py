"""Spec §12.1.2-§12.1.4 Strict readers: named mutations of a good file, each refused with its
line number, and the good files read exactly."""

from __future__ import annotations

import pytest

from crypto.errors import MalformedInput
from election.counting.readers import read_attributes, read_ballot_csv, read_blt

GOOD_BLT = (
    "3 2\n"
    "4 1 2 0\n"
    "2 3 0\n"
    "1 2 2 1 0\n"  # a repeated preference: cut to (2,)
    "1 0\n"  # empty: invalid
    "0\n"
    '"Ann"\n'
    '"Bob"\n'
    "\"Cat O''Neil\"\n"
    '"A test"\n'
)


def test_good_blt() -> None:
    ballots = read_blt(GOOD_BLT.encode())
    p = ballots.profile
    assert ballots.seats == 2
    assert ballots.format == "blt"
    assert p.candidates == ("Ann", "Bob", "Cat O''Neil")
    assert p.title == "A test"
    assert dict(zip(p.sequences, p.weights, strict=True)) == {(0, 1): 4, (1,): 1, (2,): 2}
    assert p.invalid == 1
    assert p.cut_short == 1


def test_blt_accepts_crlf_tabs_and_trailing_empty_lines() -> None:
    text = GOOD_BLT.replace("\n", "\r\n").replace("4 1 2 0", "4\t1 2\t0") + "\r\n\r\n"
    assert read_blt(text.encode()).profile == read_blt(GOOD_BLT.encode()).profile


BLT_MUTATIONS = {
    "empty-file": ("", 1),
    "header-one-number": (GOOD_BLT.replace("3 2\n", "3\n", 1), 1),
    "header-zero-seats": (GOOD_BLT.replace("3 2\n", "3 0\n", 1), 1),
    "header-leading-zero": (GOOD_BLT.replace("3 2\n", "03 2\n", 1), 1),
    "withdrawn-candidate": (GOOD_BLT.replace("3 2\n", "3 2\n-2\n", 1), 2),
    "weight-zero": (GOOD_BLT.replace("4 1 2 0", "0 1 2 0"), 2),
    "weight-negative": (GOOD_BLT.replace("2 3 0", "x 3 0"), 3),
    "missing-end-zero": (GOOD_BLT.replace("4 1 2 0", "4 1 2"), 2),
    "candidate-out-of-range": (GOOD_BLT.replace("2 3 0", "2 4 0"), 3),
    "candidate-zero-inside": (GOOD_BLT.replace("4 1 2 0", "4 1 0 2 0"), 2),
    "equal-ranking": (GOOD_BLT.replace("4 1 2 0", "4 1=2 0"), 2),
    "skipped-rank": (GOOD_BLT.replace("4 1 2 0", "4 1 - 2 0"), 2),
    "ballot-id": (GOOD_BLT.replace("4 1 2 0", "(a1) 4 1 2 0"), 2),
    "decimal-weight": (GOOD_BLT.replace("4 1 2 0", "4.5 1 2 0"), 2),
    "empty-line-in-ballots": (GOOD_BLT.replace("2 3 0\n", "2 3 0\n\n"), 4),
    "missing-ballot-terminator": ("3 2\n4 1 2 0\n", 3),
    "unquoted-name": (GOOD_BLT.replace('"Bob"', "Bob"), 8),
    "quote-in-name": (GOOD_BLT.replace('"Bob"', '"B"o"b"'), 8),
    "too-few-names": ("3 2\n4 1 2 0\n0\n" + '"Ann"\n"Bob"\n', 6),
    "duplicate-names": (GOOD_BLT.replace('"Bob"', '"Ann"'), None),
    "missing-title": ("3 2\n4 1 2 0\n0\n" + '"Ann"\n"Bob"\n"Cat"\n', 7),
    "trailing-garbage": (GOOD_BLT + "1 2 0\n", 11),
    "comment-line": (GOOD_BLT.replace("2 3 0\n", "# x\n"), 3),
}


@pytest.mark.parametrize("name", sorted(BLT_MUTATIONS))
def test_blt_mutations_are_refused_with_their_line(name: str) -> None:
    text, line = BLT_MUTATIONS[name]
    with pytest.raises(MalformedInput) as info:
        read_blt(text.encode())
    message = str(info.value)
    assert "\n" not in message
    if line is not None:
        assert f"line {line}:" in message


def test_blt_byte_level_mutations() -> None:
    with pytest.raises(MalformedInput, match="byte-order mark"):
        read_blt(b"\xef\xbb\xbf" + GOOD_BLT.encode())
    with pytest.raises(MalformedInput, match="line 7: not valid UTF-8"):
        read_blt(GOOD_BLT.encode().replace(b"Ann", b"A\xffn"))


GOOD_CSV = "weight,Ann,Bob,Cat\n1,1,2,\n3,2,1,3\n1,1,1,2\n2,,1,\n1,1,,3\n"


def test_good_csv() -> None:
    ballots = read_ballot_csv(GOOD_CSV.encode(), title="t")
    p = ballots.profile
    assert ballots.seats is None
    assert p.candidates == ("Ann", "Bob", "Cat")
    assert dict(zip(p.sequences, p.weights, strict=True)) == {
        (0,): 1,  # "1,,3": rank 2 skipped
        (0, 1): 1,
        (1,): 2,
        (1, 0, 2): 3,
    }
    assert p.invalid == 1  # "1,1,2": rank 1 shared
    assert p.title == "t"


CSV_MUTATIONS = {
    "bad-header": (GOOD_CSV.replace("weight,", "count,", 1), 1),
    "header-only-weight": ("weight\n1\n", 1),
    "short-row": (GOOD_CSV.replace("3,2,1,3", "3,2,1"), 3),
    "long-row": (GOOD_CSV.replace("3,2,1,3", "3,2,1,3,4"), 3),
    "weight-zero": (GOOD_CSV.replace("3,2,1,3", "0,2,1,3"), 3),
    "weight-text": (GOOD_CSV.replace("3,2,1,3", "x,2,1,3"), 3),
    "rank-zero": (GOOD_CSV.replace("3,2,1,3", "3,0,1,3"), 3),
    "rank-negative": (GOOD_CSV.replace("3,2,1,3", "3,-2,1,3"), 3),
    "rank-decimal": (GOOD_CSV.replace("3,2,1,3", "3,2.0,1,3"), 3),
    "empty-line": (GOOD_CSV.replace("3,2,1,3\n", "3,2,1,3\n\n"), 4),
    "duplicate-candidate": (GOOD_CSV.replace("Cat", "Ann", 1), None),
    "unterminated-quote": ('weight,"Ann,Bob\n1,1,2\n', None),
}


@pytest.mark.parametrize("name", sorted(CSV_MUTATIONS))
def test_csv_mutations_are_refused_with_their_line(name: str) -> None:
    text, line = CSV_MUTATIONS[name]
    with pytest.raises(MalformedInput) as info:
        read_ballot_csv(text.encode())
    assert "\n" not in str(info.value)
    if line is not None:
        assert f"line {line}:" in str(info.value)


CANDIDATES = ("Ann", "Bob", "Cat")
GOOD_ATTRIBUTES = "candidate,group\nAnn,women\nCat,women\nCat,youth\n"


def test_good_attributes() -> None:
    groups = read_attributes(GOOD_ATTRIBUTES.encode(), candidates=CANDIDATES)
    assert groups == {"women": frozenset({"Ann", "Cat"}), "youth": frozenset({"Cat"})}


ATTRIBUTE_MUTATIONS = {
    "bad-header": (GOOD_ATTRIBUTES.replace("candidate,group", "name,group"), 1),
    "unknown-candidate": (GOOD_ATTRIBUTES.replace("Cat,youth", "Dan,youth"), 4),
    "empty-group": (GOOD_ATTRIBUTES.replace("Cat,youth", "Cat,"), 4),
    "three-fields": (GOOD_ATTRIBUTES.replace("Cat,youth", "Cat,youth,x"), 4),
    "repeated-row": (GOOD_ATTRIBUTES + "Ann,women\n", 5),
    "case-differs": (GOOD_ATTRIBUTES.replace("Ann,women", "ann,women"), 2),
}


@pytest.mark.parametrize("name", sorted(ATTRIBUTE_MUTATIONS))
def test_attribute_mutations_are_refused_with_their_line(name: str) -> None:
    text, line = ATTRIBUTE_MUTATIONS[name]
    with pytest.raises(MalformedInput, match=f"line {line}:"):
        read_attributes(text.encode(), candidates=CANDIDATES)
