"""Issue 15 item 4: a result decided by lot says so wherever it is shown, with the seed and the
rule (spec §12.6) so that anyone can draw it again: the board's results page in every language,
the scrutineer's report (``verivote report``), and a ranked count's stages; a tied referendum
draws no lot."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bulletin_board.pages.digest import digest_export
from bulletin_board.pages.i18n import catalogues
from bulletin_board.pages.render import render_election_page
from bulletin_board.pages.results import ranked_view
from bulletin_board.pages.views import Links
from cli.main import verivote
from election.counting import Lot, Profile, count_irv
from tests.pages.tied import tied_export

LOT = {
    "en": r"A tie between (Yan Yu|Zed Zola), (Yan Yu|Zed Zola) was decided by lot, seed "
    r"([0-9a-f]{64}), rule §12\.6: (Yan Yu|Zed Zola) elected\.",
    "cy": r"Penderfynwyd cyfartaledd rhwng (Yan Yu|Zed Zola), (Yan Yu|Zed Zola) drwy goelbren, "
    r"hedyn ([0-9a-f]{64}), rheol §12\.6: etholwyd (Yan Yu|Zed Zola)\.",
}


def _seed_and_winner() -> tuple[str, str]:
    digest, _ = digest_export(iter(tied_export().splitlines(keepends=True)))
    assert digest.result is not None
    assert digest.result.parsed is not None
    youth = next(c for c in digest.result.parsed.contests if c.contest == "youth-rep")
    winner = {"yan": "Yan Yu", "zed": "Zed Zola"}[youth.elected[0]]
    return digest.result.parsed.seed.hex(), winner


def _check(body: str, lang: str) -> None:
    seed, winner = _seed_and_winner()
    found = re.findall(rf'<p class="lot">{LOT[lang]}</p>', body)
    assert len(found) == 1, body  # the youth seat; the referendum draws no lot
    tied_a, tied_b, drawn_seed, elected = found[0]
    assert {tied_a, tied_b} == {"Yan Yu", "Zed Zola"}
    assert (drawn_seed, elected) == (seed, winner)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_results_page_flags_a_seat_decided_by_lot(lang: str) -> None:
    digest, sth = digest_export(iter(tied_export().splitlines(keepends=True)))
    body = render_election_page(
        "results", t=catalogues()[lang], digest=digest, sth=sth, links=Links(digest.election),
        now=sth.timestamp, board_url="http://127.0.0.1:1",
    )  # fmt: skip
    _check(body, lang)
    tie = catalogues()[lang].text("results.tie")
    assert tie.replace("'", "&#39;") in body  # the referendum's 2-2


def test_the_scrutineers_report_flags_it_too(tmp_path: Path) -> None:
    export = tmp_path / "tied.export"
    export.write_bytes(tied_export())
    html = tmp_path / "report.html"
    result = CliRunner().invoke(
        verivote, ["report", str(export), "--html", str(html), "--jobs", "1", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    _check(html.read_text(encoding="utf-8"), "en")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("en", "A tie was decided by lot, seed {seed}, rule §12.6; the order drawn: {order}."),
        ("cy", "Penderfynwyd cyfartaledd drwy goelbren, hedyn {seed}, rheol §12.6; y drefn a "
               "dynnwyd: {order}."),
    ],
    ids=["en", "cy"],
)  # fmt: skip
def test_a_ranked_tie_decided_by_lot_names_the_seed_and_the_rule(lang: str, said: str) -> None:
    # A 2, B 2, C 4: A and B are equal at every stage, so the lot excludes one (§12.4).
    profile = Profile.from_orders(
        candidates=("Ann", "Bob", "Cat"), orders=[((0,), 2), ((1,), 2), ((2,), 4)]
    )
    seed = bytes(range(32))
    count = count_irv(profile, lot=Lot(seed), batch_elimination=False)
    tie = count.stages[1].ties[0]
    assert tie.decided_by == 0
    order = ", ".join(count.candidates[c] for c in tie.order)
    view = ranked_view(catalogues()[lang], count)
    assert view["stages"][1]["ties"] == [said.format(seed=seed.hex(), order=order)]
