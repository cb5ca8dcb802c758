"""Spec §12.1.5 A ranked contest's result on the results page and in the report, from the count
record its result carries: the summary, the stage table, a chart per stage with the quota line,
elected and excluded marked, transfers, invalid papers; and a record that does not read is
shown as an error, never as a result."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest

from bulletin_board.pages.i18n import catalogues
from bulletin_board.pages.render import render_election_page, render_report
from bulletin_board.pages.results import contest_blt
from bulletin_board.pages.views import Links
from election.counting import Constraints, Lot, count_scottish, read_blt
from election.counting.report import candidate_status
from tests.pages.ranked import NAMES, ranked_election


@pytest.fixture(scope="module")
def ranked() -> tuple[Any, Any, Any]:
    return ranked_election()


def _page(ranked: tuple[Any, Any, Any], lang: str = "en") -> str:
    digest, sth, _ = ranked
    return render_election_page(
        "results", t=catalogues()[lang], digest=digest, sth=sth, links=Links(digest.election),
        now=sth.timestamp, board_url="http://127.0.0.1:1",
    )  # fmt: skip


def test_the_stage_table_and_charts_show_the_count(ranked: tuple[Any, Any, Any]) -> None:
    digest, _, count = ranked
    names = {c.id: c.name for c in digest.candidate_list("nec").value.candidates}
    body = _page(ranked)
    elected = ", ".join(names[c] for c in count.elected_names)
    assert f"Elected: {elected}" in body
    assert f"<dt>Quota</dt><dd>{count.value(count.quota)}</dd>" in body
    assert f"<dt>Valid papers</dt><dd>{count.valid_ballots}</dd>" in body
    assert f"<dt>Invalid papers</dt><dd>{count.invalid_ballots}</dd>" in body
    assert "<dd>Scottish STV</dd>" in body
    assert "gender=woman &gt;= 2" in body
    stages = len(count.stages)
    assert body.count('<section class="stage"') == stages
    assert body.count('<line class="quota-line"') == stages
    assert body.count('<svg class="chart" role="img"') == stages + 1  # + the referendum
    for c, candidate in enumerate(count.candidates):
        name = names[candidate]
        row = re.search(rf'<tr class="\w+"><th scope="row">{name}</th>(.*?)</tr>', body)
        assert row is not None, name
        totals = re.findall(r'<td class="num">([0-9.]+)</td>', row.group(1))
        assert totals == [count.value(s.totals[c]) for s in count.stages]
    for stage in count.stages[1:]:
        assert f"Stage {stage.number}: " in body
    assert "The result combines the decryptions of trustees" in body


def test_the_record_is_in_welsh_too(ranked: tuple[Any, Any, Any]) -> None:
    body = _page(ranked, "cy")
    assert "Cam 1: Dewisiadau cyntaf" in body
    assert "STV yr Alban" in body


def test_the_report_has_the_stages(ranked: tuple[Any, Any, Any]) -> None:
    digest, sth, count = ranked
    verdict = {"state": "none"}
    body = render_report(t=catalogues()["en"], digest=digest, sth=sth, verdict=verdict,
                         source="test", generated="now")  # fmt: skip
    assert body.count('<section class="stage"') == len(count.stages)
    assert re.findall(r"href=\"([^#][^\"]*)\"", body) == []


@contextmanager
def _nec_result(ranked: tuple[Any, Any, Any], nec: dict[str, Any]) -> Iterator[str]:
    """The results page with the ranked contest's published result replaced by ``nec``."""
    digest, sth, count = ranked
    payload = dict(digest.result.payload)
    payload["contests"] = [nec if c["contest"] == "nec" else c for c in payload["contests"]]
    saved = digest.result
    digest.result = replace(saved, payload=payload)
    try:
        yield _page((digest, sth, count))
    finally:
        digest.result = saved


def test_a_record_that_does_not_read_is_an_error_not_a_result(
    ranked: tuple[Any, Any, Any],
) -> None:
    record = ranked[2].to_dict()
    record["elected"] = ["Nobody"]
    with _nec_result(ranked, {"contest": "nec", "status": "counted", "count": record}) as body:
        assert "count record: elected names no candidate: &#39;Nobody&#39;" in body
        assert '<section class="stage"' not in body


def test_a_count_with_no_valid_paper(ranked: tuple[Any, Any, Any]) -> None:
    nec = {"contest": "nec", "trustees": [1, 2, 4], "papers": [None], "elected": [], "count": None}
    with _nec_result(ranked, nec) as body:
        assert "No paper of this ranked contest is a valid ranking" in body


def test_a_ranked_result_without_papers_or_count_is_unreadable(
    ranked: tuple[Any, Any, Any],
) -> None:
    with _nec_result(ranked, {"contest": "nec", "status": "counted"}) as body:
        assert "This contest&#39;s result could not be read." in body


def test_the_papers_download_as_the_blt_the_members_cast(ranked: tuple[Any, Any, Any]) -> None:
    digest, _, count = ranked
    assert 'href="/e/ranked-2027/results/nec.blt"' in _page(ranked)
    blt = contest_blt(digest, "nec")
    assert blt is not None
    read = read_blt(blt)
    assert read.seats == 3
    assert read.profile.valid == count.valid_ballots
    # Recounted from the file alone (candidates by name), the count is the members' own.
    names = {c.id: c.name for c in digest.candidate_list("nec").value.candidates}
    women = {"gender=woman": [names[i] for i, _, g in NAMES if g == "woman"]}
    constraints = Constraints.build(
        candidates=read.profile.candidates, groups=women, minimums={"gender=woman": 2}
    )
    lot = Lot(digest.result.parsed.seed, contest="nec")
    again = count_scottish(read.profile, seats=3, lot=lot, constraints=constraints)
    assert again.elected_names == tuple(names[c] for c in count.elected_names)
    assert [s.totals for s in again.stages] == [s.totals for s in count.stages]
    assert contest_blt(digest, "rule") is None  # a referendum has no papers
    assert contest_blt(digest, "nobody") is None


def test_the_transfers_excluded_marks_and_export_link_are_shown(
    ranked: tuple[Any, Any, Any],
) -> None:
    digest, _, count = ranked
    names = {c.id: c.name for c in digest.candidate_list("nec").value.candidates}
    body = _page(ranked)
    assert 'href="/v1/elections/ranked-2027/export"' in body
    assert "The whole board (export file, for verivote verify)" in body
    sections = [s.split("</section>")[0] for s in body.split('<section class="stage"')[1:]]
    assert len(sections) == len(count.stages)
    marked = 0
    for stage, section in zip(count.stages, sections, strict=True):
        moved = [(names[count.candidates[c]], count.value(x))
                 for c, x in enumerate(stage.transfers) if x and stage.number > 1]  # fmt: skip
        if moved:
            shown = "; ".join(f"{name} {change}" for name, change in moved)
            assert f"<p>Transfers: {shown}</p>" in section, stage.number
        else:
            assert "Transfers:" not in section
        status = candidate_status(count, stage.number)
        bars = re.findall(r'<rect class="bar-(\w+)"', section)
        assert bars == list(status)
        for c, state in enumerate(status):
            if state == "excluded":
                marked += 1
                assert f"{count.value(stage.totals[c])} (excluded)</text>" in section
        if stage.excluded:
            excluded = ", ".join(names[count.candidates[c]] for c in stage.excluded)
            assert f"Excluded: {excluded}." in section
    assert marked, "no stage of this count excludes anyone: the test shows nothing"
