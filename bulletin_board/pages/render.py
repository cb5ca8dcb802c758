"""Rendering the pages and the report with Jinja2 (templates in bulletin_board/pages/templates).

Autoescaping is on for every template and undefined variables are errors. ``render_election_page``
draws one page of an election from its digest; ``render_report`` the scrutineer's report, one
self-contained file (the stylesheet inline, nothing loaded). The same parts (``parts/*.html``)
make both, so a fact shown on a page is shown the same way in the report.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import jinja2

from bulletin_board.pages.digest import ElectionDigest
from bulletin_board.pages.i18n import Catalogue, catalogues
from bulletin_board.pages.results import results_view
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
    "STYLESHEET",
    "environment",
    "inline_style_source",
    "render",
    "render_election_page",
    "render_report",
]

HERE: Final = Path(__file__).resolve().parent
STYLESHEET: Final = HERE / "static" / "pages.css"


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
) -> str:
    """One page of an election (``""`` home, ``nominations``, ``decisions``,
    ``participation``, ``results``); ``witnesses``: the home page's (§10.5).

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
        context.update(
            results=results_view(t, digest), verdict=verdict, phase=context["home"]["phase"]
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
) -> str:
    """Spec §13 The scrutineer's report: one self-contained HTML file (inline stylesheet, SVG
    charts, no script, no link to any origin) with the fingerprints to keep, the verifier's
    numbered checks, and every page's content."""
    links = Links(digest.election, standalone=True)
    context = _page_context(t, digest, sth, links, sth.timestamp)
    definition = digest.definition.value if digest.definition is not None else None
    context.update(
        standalone=True,
        nav=None,
        page_title=t.text("report.title", title=context["election_title"]),
        nominations=nominations_view(t, digest),
        decisions=decisions_view(t, digest),
        participation=participation_view(t, digest),
        results=results_view(t, digest),
        phase=context["home"]["phase"],
        verdict=verdict,
        source=source,
        generated=generated,
        fingerprint="" if definition is None else definition.fingerprint.hex(),
        sth_json=sth.to_bytes().decode(),
        h=3,
    )
    return render("report.html", t=t, **context)
