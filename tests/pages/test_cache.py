"""Issue 13 item 5: the results' count (stage tables, charts) is drawn once per result leaf,
language and form (page or report) and kept in a small LRU, and a page served again is drawn
from it; what changes per request (the tree head, the verifier's verdict, the phase) stays
current, and a leaf that changes the count (the result) changes the page. On the pages'
functions, and through a real board (uvicorn on 127.0.0.1), counting ``results_view`` calls."""

from __future__ import annotations

import functools
import operator
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest

from bulletin_board.pages.cache import Lru
from bulletin_board.pages.digest import ElectionDigest, digest_export
from bulletin_board.pages.i18n import catalogues
from bulletin_board.pages.render import ResultsCache, render_election_page, render_report
from bulletin_board.pages.results import VIEWS_BUILT
from bulletin_board.pages.verdict import verdict_view
from bulletin_board.pages.views import Links
from bulletin_board.wire import SignedTreeHead
from election.wire import DECISION, Decision
from tests.pages.elections import Served
from tests.pages.ranked import ranked_election
from tests.pages.tied import tied_export


def _count(body: str) -> str:
    """The count drawn on a results page or in the report: its contests up to the trustees who
    decrypted."""
    return body[body.index('<section aria-labelledby="r-') : body.index('id="decryption"')]


@pytest.fixture(scope="module")
def ranked() -> tuple[Any, Any, Any]:
    return ranked_election()


def _built() -> int:
    return VIEWS_BUILT["results"]


def _page(
    digest: ElectionDigest,
    sth: SignedTreeHead,
    cache: ResultsCache | None,
    lang: str = "en",
    verdict: dict[str, Any] | None = None,
) -> str:
    return render_election_page(
        "results", t=catalogues()[lang], digest=digest, sth=sth, links=Links(digest.election),
        now=sth.timestamp, board_url="http://127.0.0.1:1", verdict=verdict, cache=cache,
    )  # fmt: skip


def _report(digest: ElectionDigest, sth: SignedTreeHead, cache: ResultsCache | None) -> str:
    return render_report(
        t=catalogues()["en"], digest=digest, sth=sth, verdict={"state": "none"},
        source="export", generated="now", cache=cache,
    )  # fmt: skip


def _verdict(sth: SignedTreeHead) -> dict[str, Any]:
    outcome = {"json": {"passed": True, "outcome": "result-verified", "checks": []}, "lines": []}
    return verdict_view(
        catalogues()["en"], outcome, has_result=True, size=sth.tree_size, root=sth.root_hash.hex()
    )


def test_the_lru_keeps_the_most_recently_used() -> None:
    cache: Lru[int] = Lru(2)
    assert [cache.get(k, functools.partial(operator.mul, k, 10)) for k in (1, 2, 1, 3)] == [
        10,
        20,
        10,
        30,
    ]
    assert (cache.hits, cache.misses, len(cache)) == (1, 3, 2)
    assert cache.get(2, lambda: -1) == -1  # 2 was the least recently used: dropped
    assert cache.get(1, lambda: -1) == -1  # dropped in turn for 2
    with pytest.raises(ValueError, match="at least 1"):
        Lru[int](0)


def test_the_count_is_drawn_once_per_language_and_form(ranked: tuple[Any, Any, Any]) -> None:
    digest, sth, _ = ranked
    cache: ResultsCache = Lru(16)
    before = _built()
    first = _page(digest, sth, cache)
    assert _built() == before + 1
    assert _page(digest, sth, cache) == first == _page(digest, sth, None)  # kept, the same
    assert _built() == before + 2  # only the page drawn without the cache
    welsh = _page(digest, sth, cache, "cy")
    assert welsh != first
    assert 'lang="cy"' in welsh
    assert _page(digest, sth, cache, "cy") == welsh
    report = _report(digest, sth, cache)  # standalone: leaves as text, h3: drawn again
    assert report == _report(digest, sth, None)
    assert '<a class="leaf"' not in report
    assert '<section class="stage"' in report
    assert _report(digest, sth, cache) == report
    assert _built() == before + 5  # en page, the uncached page, cy page, report, uncached report
    assert (cache.misses, cache.hits, len(cache)) == (3, 3, 3)


def test_the_verdict_and_the_tree_head_are_drawn_per_request(
    ranked: tuple[Any, Any, Any],
) -> None:
    digest, sth, _ = ranked
    cache: ResultsCache = Lru(16)
    running = _page(digest, sth, cache, verdict={"state": "running", "size": "9"})
    before = _built()
    assert "The verifier is checking the log at 9 entries" in running
    done = _page(digest, sth, cache, verdict=_verdict(sth))
    assert "RESULT VERIFIED" in done
    assert "The verifier is checking" not in done
    later = replace(sth, tree_size=sth.tree_size + 1, root_hash=bytes(range(32)))
    moved = _page(digest, later, cache, verdict=_verdict(sth))
    footer = moved.split("<footer>")[1]
    assert bytes(range(32)).hex() in footer
    assert sth.root_hash.hex() not in footer
    assert catalogues()["en"].number(sth.tree_size + 1) in footer
    assert _built() == before  # neither drew the count again
    assert _count(running) == _count(done) == _count(moved)


def test_the_result_leaf_changes_the_page(ranked: tuple[Any, Any, Any]) -> None:
    """The page before the result, then the same digest folded on to the result: the count
    appears; a second election in the same cache keeps its own count."""
    lines = tied_export().splitlines(keepends=True)
    whole, sth = digest_export(iter(lines))
    assert whole.result is not None
    leaves = [
        line[8 : line.rstrip(b"\n").rfind(b"}")] for line in lines if line.startswith(b'{"leaf":')
    ]
    digest = ElectionDigest(whole.election)
    for leaf in leaves[: whole.result.index]:
        digest.add(leaf)
    cache: ResultsCache = Lru(16)
    before = _page(digest, sth, cache)
    assert "No result has been published yet." in before
    assert "Yan Yu" not in before
    assert 'id="decryption"' not in before
    for leaf in leaves[whole.result.index :]:
        digest.add(leaf)
    after = _page(digest, sth, cache)
    assert 'id="decryption"' in after
    assert "Yan Yu" in after
    assert after == _page(whole, sth, None)
    other = _page(ranked[0], ranked[1], cache)
    assert "Ada Achebe" in other
    assert "Yan Yu" not in other
    assert _page(digest, sth, cache) == after


# --- through a real board -----------------------------------------------------------------------


def _get(url: str) -> str:
    response = httpx.get(url, timeout=60)
    assert response.status_code == 200, url
    return response.text


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("page", ["results", "report.html"])
def test_the_board_draws_the_count_once(served: Served, page: str, lang: str) -> None:
    first = _get(served.page(f"{page}?lang={lang}"))
    before = _built()
    again = _get(served.page(f"{page}?lang={lang}"))
    assert _built() == before  # the second request drew no results view
    assert _count(again) == _count(first)
    assert f'lang="{lang}"' in again
    assert '<section class="stage"' in _count(again)


def test_a_new_leaf_and_the_verdict_show_on_the_kept_page(served: Served) -> None:
    _get(served.page("results"))
    before = _built()
    deadline = time.monotonic() + 240
    while "The verifier is checking the log" in (body := _get(served.page("results"))):
        assert time.monotonic() < deadline, "the board's verifier did not finish"
        time.sleep(1)  # polling the board's background run
    assert "RESULT VERIFIED" in body
    head = served.client.tree_head()
    assert head.root_hash.hex() in body
    decision = Decision("Recount", "No recount", "No request was made within the deadline")
    served.builder.administrator(DECISION, decision.to_json(), at=served.clock.now)
    newer = served.client.tree_head()
    assert newer.tree_size > head.tree_size
    body = _get(served.page("results"))
    assert newer.root_hash.hex() in body
    assert head.root_hash.hex() not in body.split("<footer>")[1]
    assert "RESULT VERIFIED" in body  # the verdict on the previous head, until it runs again
    assert _built() == before  # the decision does not change the count: drawn from the cache
