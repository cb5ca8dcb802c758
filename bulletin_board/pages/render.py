"""Rendering the pages and the report with Jinja2 (templates in bulletin_board/pages/templates).

Autoescaping is on for every template and undefined variables are errors. ``render_election_page``
draws one page of an election from its digest; ``render_report`` the scrutineer's report, one
self-contained file (the stylesheet inline, nothing loaded). The same parts (``parts/*.html``)
make both, so a fact shown on a page is shown the same way in the report.

The results' count (``parts/count.html``: per contest the counts, or a ranked count's stage
table and charts) is the costly part to draw and changes only with the leaves ``results_key``
names: given a ``ResultsCache`` (the board's: ``PagesService.results``), its view and HTML are
kept per those leaves, language and form (page or report), and everything else on the page (the
tree head, the phase, the verifier's verdict, the time the report was generated) is drawn per
request (issue 13 item 5).
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final, TypeAlias

import jinja2
from markupsafe import Markup

from bulletin_board.pages.cache import Lru
from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.pages.i18n import Catalogue, catalogues
from bulletin_board.pages.results import results_key, results_view
from bulletin_board.pages.views import (
    PAGES,
    Links,
    decisions_view,
    home_view,
    nominations_view,
    participation_view,
    tree_head_view,
)
from bulletin_board.wire import SignedTreeHead

__all__ = [
    "RESULTS_CACHED",
    "STYLESHEET",
    "ResultsCache",
    "environment",
    "inline_style_source",
    "render",
    "render_election_page",
    "render_report",
]

HERE: Final = Path(__file__).resolve().parent
STYLESHEET: Final = HERE / "static" / "pages.css"
#: How many results' counts a board keeps (each in one language, as a page or in the report: a
#: few elections' worth).
RESULTS_CACHED: Final = 16

#: The results' view and count HTML by (``results_key``, language, heading level, links).
ResultsCache: TypeAlias = Lru[tuple[dict[str, Any], Markup]]


@functools.cache
def environment() -> jinja2.Environment:
    """The templates' environment (built once)."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
    )


@functools.cache
def _css() -> str:
    return STYLESHEET.read_text(encoding="utf-8")


@functools.cache
def inline_style_source() -> str:
    """The Content-Security-Policy source that allows the report's inline stylesheet (and
    nothing else inline): ``'sha256-...'`` of its exact text (CSP Level 2 hash source)."""
    digest = hashlib.sha256(_css().encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def render(template: str, *, t: Catalogue, **context: Any) -> str:
    """Render ``template`` in ``t``'s language (with the language switch's choices)."""
    base: dict[str, Any] = {
        "lang": t.code,
        "t": t,
        "languages": [(c.code, c.name) for c in catalogues().values()],
        "standalone": False,
        "css": "",
        "feed_url": None,
        "rehearsal": False,
        "nav": None,
        "current": None,
        "sth": None,
        "election_title": "",
        "links": Links(""),
        "board_url": "",
        "election": "",
        "verdict": None,
        "phase": "",
    }
    base.update(context)
    if base["standalone"]:
        base["css"] = _css()
    return environment().get_template(template).render(base)


def _results(
    t: Catalogue, digest: ElectionDigest, links: Links, h: int, cache: ResultsCache | None
) -> tuple[dict[str, Any], Markup]:
    """The results' view and, once the result is posted, its count drawn (``parts/count.html``),
    from ``cache`` when it holds them."""

    def build() -> tuple[dict[str, Any], Markup]:
        view = results_view(t, digest)
        if not view["published"]:
            return view, Markup("")
        html = render("parts/count.html", t=t, results=view, h=h, links=links)
        return view, Markup(html)  # noqa: S704 - drawn by the autoescaping environment

    key = results_key(digest)
    if cache is None or key is None:
        return build()
    return cache.get((key, t.code, h, links), build)


def _page_context(
    t: Catalogue, digest: ElectionDigest, sth: SignedTreeHead, links: Links, now: int
) -> dict[str, Any]:
    definition = digest.definition.value if digest.definition is not None else None
    return {
        "election": digest.election,
        "election_title": definition.title if definition is not None else digest.election,
        "sth": tree_head_view(t, digest, sth),
        "links": links,
        "nav": PAGES,
        "rehearsal": digest.rehearsal,
        "home": home_view(t, digest, now),
        "h": 2,
    }


def render_election_page(
    page: str,
    *,
    t: Catalogue,
    digest: ElectionDigest,
    sth: SignedTreeHead,
    links: Links,
    now: int,
    board_url: str,
    verdict: Mapping[str, Any] | None = None,
    witnesses: Mapping[str, Any] | None = None,
    cache: ResultsCache | None = None,
) -> str:
    """One page of an election (``""`` home, ``nominations``, ``decisions``,
    ``participation``, ``results``); ``witnesses``: the home page's (§10.5); ``cache``: where
    the results' count is kept.

    Raises:
        KeyError: no such page.
    """
    titles = dict(PAGES)
    context = _page_context(t, digest, sth, links, now)
    context.update(
        current=page,
        board_url=board_url,
        feed_url=links.page("feed.atom"),
        part=f"parts/{page or 'home'}.html",
        witnesses=witnesses,
    )
    if page == "":
        context["page_title"] = context["home"].get("title") or t.text(titles[""])
        context["election_title"] = ""
    else:
        context["page_title"] = t.text(titles[page])
    if page == "nominations":
        context["nominations"] = nominations_view(t, digest)
    elif page == "decisions":
        context["decisions"] = decisions_view(t, digest)
    elif page == "participation":
        context["participation"] = participation_view(t, digest)
    elif page == "results":
        results, count = _results(t, digest, links, context["h"], cache)
        context.update(
            results=results, count=count, verdict=verdict, phase=context["home"]["phase"]
        )
    return render("page.html", t=t, **context)


def render_report(
    *,
    t: Catalogue,
    digest: ElectionDigest,
    sth: SignedTreeHead,
    verdict: Mapping[str, Any],
    source: str,
    generated: str,
    cache: ResultsCache | None = None,
) -> str:
    """Spec §13 The scrutineer's report: one self-contained HTML file (inline stylesheet, SVG
    charts, no script, no link to any origin) with the fingerprints to keep, the verifier's
    numbered checks, and every page's content; ``cache``: where the results' count is kept."""
    links = Links(digest.election, standalone=True)
    context = _page_context(t, digest, sth, links, sth.timestamp)
    definition = digest.definition.value if digest.definition is not None else None
    h = 3  # the report's parts sit under its h2 sections
    results, count = _results(t, digest, links, h, cache)
    context.update(
        standalone=True,
        nav=None,
        page_title=t.text("report.title", title=context["election_title"]),
        nominations=nominations_view(t, digest),
        decisions=decisions_view(t, digest),
        participation=participation_view(t, digest),
        results=results,
        count=count,
        phase=context["home"]["phase"],
        verdict=verdict,
        source=source,
        generated=generated,
        fingerprint="" if definition is None else definition.fingerprint.hex(),
        sth_json=sth.to_bytes().decode(),
        h=h,
    )
    return render("report.html", t=t, **context)
