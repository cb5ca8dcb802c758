"""Spec §12.1.5 The count record's JSON, CSV and self-contained HTML renderings."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

from crypto import canonical
from election.counting.lot import Lot
from election.counting.profile import Profile
from election.counting.record import CountResult, format_units
from election.counting.report import render_csv, render_html
from election.counting.scottish import count_scottish
from tests.counting.data import load


def _calton() -> CountResult:
    ballots = load("glasgow_2017_ward09_calton.blt")
    return count_scottish(ballots.profile, seats=4, lot=Lot(bytes(32)))


def test_format_units() -> None:
    assert format_units(176100000, 5) == "1761.00000"
    assert format_units(5, 5) == "0.00005"
    assert format_units(-5, 2) == "-0.05"
    assert format_units(42, 0) == "42"


def test_json_is_canonical_and_complete() -> None:
    result = _calton()
    data = result.to_json()
    doc = canonical.decode(data)
    assert canonical.encode(doc) == data
    assert isinstance(doc, dict)
    assert doc["format"] == "verivote-count"
    assert doc["version"] == 1
    assert doc["quota"] == "1097.00000"
    assert doc["elected"] == list(result.elected_names)
    stages = doc["stages"]
    assert isinstance(stages, list)
    assert len(stages) == len(result.stages)
    for stage in stages:
        assert isinstance(stage, dict)
        totals = stage["totals"]
        assert isinstance(totals, dict)
        whole = sum(Decimal(str(v)) for v in totals.values())
        whole += Decimal(str(stage["exhausted"])) + Decimal(str(stage["lost"]))
        assert whole == result.valid_ballots
        assert all(re.fullmatch(r"\d+\.\d{5}", str(v)) for v in totals.values())


def test_csv_has_a_totals_and_a_transfers_row_per_stage() -> None:
    result = _calton()
    rows = list(csv.reader(io.StringIO(render_csv(result))))
    header, body = rows[0], rows[1:]
    assert header[:5] == ["stage", "row", "action", "subjects", "quota"]
    assert header[5 : 5 + len(result.candidates)] == list(result.candidates)
    assert len(body) == 2 * len(result.stages)
    pairs = zip(body[::2], body[1::2], strict=True)
    for stage, (totals, transfers) in zip(result.stages, pairs, strict=True):
        assert totals[:2] == [str(stage.number), "totals"]
        assert transfers[:2] == [str(stage.number), "transfers"]
        assert totals[5 : 5 + len(result.candidates)] == [result.value(v) for v in stage.totals]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def test_html_is_self_contained_with_a_chart_per_stage() -> None:
    result = _calton()
    page = render_html(result)
    parser = _Tags()
    parser.feed(page)
    assert parser.tags.count("svg") == len(result.stages)
    assert parser.tags.count("rect") == len(result.stages) * len(result.candidates)
    assert "script" not in parser.tags
    assert not {"src", "href", "onload", "onclick"} & set(parser.attrs)
    assert "@import" not in page
    assert "url(" not in page
    assert re.findall(r"https?://[^\"' ]+", page) == ["http://www.w3.org/2000/svg"] * len(
        result.stages
    )  # the SVG namespace name only; nothing is fetched
    for name in result.candidates:
        assert name.replace("'", "&#x27;") in page


def test_html_escapes_hostile_names() -> None:
    profile = Profile.from_ballots(
        candidates=("<script>alert(1)</script>", 'A "quote" & more'), ballots=[(0,), (1,), (1,)]
    )
    result = count_scottish(profile, seats=1, lot=Lot(bytes(32)))
    page = render_html(result)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "&amp; more" in page
