"""The public pages' routes on the board's FastAPI application (server-rendered, no script).

Under ``/e/{election}/``: the election's home, ``nominations``, ``decisions``,
``participation``, ``results`` (with ``results/{contest}.blt``, a ranked contest's decrypted
papers), ``leaf/{index}``, ``feed.atom`` and ``report.html``; ``/`` lists
the board's elections; ``/static/pages.css`` is the one stylesheet. The JSON API stays under
``/v1/``. Every page is sent with a strict Content-Security-Policy (nothing but this origin's
stylesheet: no script, no frame, no form), and in the language the request chooses
(bulletin_board/pages/i18n.py). ``/booth/{election}/`` serves the web booth's files
(bulletin_board/booth.py) with the booth's own policy.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from bulletin_board.booth import INDEX, BoothFiles
from bulletin_board.cosignature import Cosignature
from bulletin_board.errors import NotFound, UnknownElection, UnknownTreeSize
from bulletin_board.log import Board
from bulletin_board.pages.cache import Lru
from bulletin_board.pages.describe import phase
from bulletin_board.pages.digest import LARGE_ENTRY
from bulletin_board.pages.downloads import Papers
from bulletin_board.pages.feed import atom_feed
from bulletin_board.pages.i18n import Catalogue, catalogues, choose_language
from bulletin_board.pages.leaf import large_leaf_view, leaf_view
from bulletin_board.pages.render import (
    RESULTS_CACHED,
    STYLESHEET,
    ResultsCache,
    inline_style_source,
    render,
    render_election_page,
    render_report,
)
from bulletin_board.pages.source import Digests, Verdicts
from bulletin_board.pages.views import PAGES, Links, tree_head_view, witnesses_view
from bulletin_board.wire import SignedTreeHead, check_election_id
from bulletin_board.witnessing import cosignatures_of
from crypto.errors import MalformedInput

__all__ = ["CONTENT_SECURITY_POLICY", "PagesService", "register_pages"]

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
LANGUAGE_COOKIE: Final = "verivote_lang"
_LOG: Final = logging.getLogger("verivote.board")
HTML: Final = "text/html; charset=utf-8"
_INDEX: Final = re.compile(r"0|[1-9][0-9]{0,15}")
_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
    "Vary": "Accept-Language, Cookie",
}


class PagesService:
    """The pages of one board: its elections' digests, the verifier's verdicts and the results'
    counts drawn (kept per result leaf and language, bulletin_board/pages/render.py); ``now``
    reads an election's clock (``Board.clock``: a rehearsal's runs ahead, spec §10.2)."""

    def __init__(self, board: Board, *, now: Callable[[str], int]) -> None:
        self.board = board
        self.now = now
        self.papers = Papers()
        self.digests = Digests(board, on_result=self.papers.warm)
        self.verdicts = Verdicts(board)
        self.results: ResultsCache = Lru(RESULTS_CACHED)

    def close(self) -> None:
        self.verdicts.close()
        self.papers.close()


def _language(request: Request) -> tuple[Catalogue, bool]:
    """The request's catalogue, and whether the switch chose it (remember it in a cookie)."""
    available = catalogues()
    query = request.query_params.get("lang")
    code = choose_language(
        available,
        query=query,
        cookie=request.cookies.get(LANGUAGE_COOKIE),
        accept=request.headers.get("accept-language"),
    )
    return available[code], query == code


def _html(
    body: str, t: Catalogue, remember: bool, status: int = 200, *, inline_style: bool = False
) -> Response:
    """An HTML page; ``inline_style``: the report, whose one stylesheet is inline (allowed by
    its hash, nothing else inline)."""
    headers = _HEADERS
    if inline_style:
        policy = CONTENT_SECURITY_POLICY.replace(
            "style-src 'self'", f"style-src 'self' {inline_style_source()}"
        )
        headers = {**_HEADERS, "Content-Security-Policy": policy}
    response = Response(body, status_code=status, media_type=HTML, headers=headers)
    response.headers["Content-Language"] = t.code
    if remember:
        response.set_cookie(
            LANGUAGE_COOKIE, t.code, max_age=365 * 86400, samesite="lax", httponly=True
        )
    return response


def _board_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def register_pages(
    app: FastAPI, board: Board, *, now: Callable[[str], int], booth: BoothFiles | None = None
) -> PagesService:
    """Add the public pages and the web booth (``booth``: the installed one by default) to
    ``app`` (a board's application); ``now`` is the board's clock. The caller closes the
    returned service when the application stops."""
    service = PagesService(board, now=now)
    booth = booth if booth is not None else BoothFiles.read()

    def not_found(t: Catalogue, remember: bool, message: str) -> Response:
        body = render("error.html", t=t, page_title=t.text("error.title"), message=message)
        return _html(body, t, remember, status=404)

    def election_of(request: Request, election: str) -> tuple[Catalogue, bool, str | Response]:
        """The request's language, and the election it names or a 404 page."""
        t, remember = _language(request)
        try:
            checked = check_election_id(election)
        except MalformedInput:
            checked = None
        if checked is None or not board.storage.has_election(checked):
            return t, remember, not_found(t, remember, t.text("front.unknown", election=election))
        return t, remember, checked

    @app.get("/", include_in_schema=False)
    def front(request: Request) -> Response:
        t, remember = _language(request)
        elections = []
        for election in board.storage.elections():
            try:
                with service.digests.read(election) as (digest, _sth):
                    definition = digest.definition.value if digest.definition else None
                    elections.append(
                        {
                            "id": election,
                            "url": f"/e/{election}/",
                            "title": definition.title if definition else election,
                            "organisation": definition.organisation if definition else "",
                            "phase": phase(t, digest, service.now(election)),
                            "rehearsal": digest.rehearsal,
                        }
                    )
            except (NotFound, UnknownElection):
                continue
        body = render("front.html", t=t, page_title=t.text("front.title"), elections=elections)
        return _html(body, t, remember)

    @app.get("/static/pages.css", include_in_schema=False)
    def stylesheet() -> Response:
        return Response(
            STYLESHEET.read_bytes(),
            media_type="text/css; charset=utf-8",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=3600"},
        )

    @app.get("/e/{election}", include_in_schema=False)
    def election_slash(election: str) -> Response:
        return RedirectResponse(f"/e/{election}/", status_code=308)

    def page(request: Request, election: str, name: str) -> Response:
        t, remember, checked = election_of(request, election)
        if isinstance(checked, Response):
            return checked
        try:
            with service.digests.read(checked) as (digest, sth):
                verdict = None
                if name in ("results", "report.html"):
                    verdict = service.verdicts.view(
                        t, checked, sth, has_result=digest.result is not None
                    )
                if name == "report.html":
                    body = render_report(
                        t=t,
                        digest=digest,
                        sth=sth,
                        verdict=verdict or {"state": "none"},
                        source=f"{_board_url(request)}/v1/elections/{checked}",
                        generated=t.when(service.now(checked), "UTC"),
                        cache=service.results,
                    )
                else:
                    witnesses = None
                    if name == "":
                        witnesses = witnesses_view(t, digest, _cosigned(board, checked))
                    body = render_election_page(
                        name,
                        t=t,
                        digest=digest,
                        sth=sth,
                        links=Links(checked),
                        now=service.now(checked),
                        board_url=_board_url(request),
                        verdict=verdict,
                        witnesses=witnesses,
                        cache=service.results,
                    )
        except NotFound:
            return not_found(t, remember, t.text("front.unknown", election=election))
        return _html(body, t, remember, inline_style=name == "report.html")

    @app.get("/e/{election}/", include_in_schema=False)
    def home(request: Request, election: str) -> Response:
        return page(request, election, "")

    names = [name for name, _ in PAGES if name] + ["report.html"]

    @app.get("/e/{election}/{name}", include_in_schema=False)
    def named(request: Request, election: str, name: str) -> Response:
        if name == "feed.atom":
            return feed(request, election)
        if name not in names:
            t, remember = _language(request)
            return not_found(t, remember, t.text("front.not_found"))
        return page(request, election, name)

    def feed(request: Request, election: str) -> Response:
        t, remember, checked = election_of(request, election)
        if isinstance(checked, Response):
            return checked
        try:
            with service.digests.read(checked) as (digest, sth):
                body = atom_feed(
                    t, digest, Links(checked, base=_board_url(request)), board_key=sth.board_key
                )
        except NotFound:
            return not_found(t, remember, t.text("front.unknown", election=election))
        return Response(
            body,
            media_type="application/atom+xml; charset=utf-8",
            headers={**_HEADERS, "Content-Language": t.code},
        )

    @app.get("/e/{election}/results/{name}", include_in_schema=False)
    def papers(request: Request, election: str, name: str) -> Response:
        """Spec §12.1.6 A ranked contest's decrypted papers as a BLT file (``CONTEST.blt``)."""
        t, remember, checked = election_of(request, election)
        if isinstance(checked, Response):
            return checked
        contest = name.removesuffix(".blt")
        blt = None
        if name.endswith(".blt"):
            try:
                with service.digests.read(checked) as (digest, _sth):
                    built = service.papers.blt(checked, digest, contest)
                blt = None if built is None else built.result()  # the lock released
            except NotFound:
                blt = None
        if blt is None:
            return not_found(t, remember, t.text("front.not_found"))
        return Response(
            blt,
            media_type="text/plain; charset=utf-8",
            headers={
                **_HEADERS,
                "Content-Disposition": f'attachment; filename="{checked}-{contest}.blt"',
            },
        )

    @app.get("/e/{election}/leaf/{index}", include_in_schema=False)
    def leaf(request: Request, election: str, index: str) -> Response:
        t, remember, checked = election_of(request, election)
        if isinstance(checked, Response):
            return checked
        if not _INDEX.fullmatch(index):
            return not_found(t, remember, t.text("front.no_leaf", index=index))
        number = int(index)
        try:
            with service.digests.read(checked) as (digest, sth):
                if number >= sth.tree_size:
                    return not_found(t, remember, t.text("front.no_leaf", index=index))
                proof = board.inclusion_proof(checked, index=number, tree_size=sth.tree_size)
                posted = digest.posted(number)
                if posted is not None and posted.size >= LARGE_ENTRY:  # a mix: not read again
                    view = large_leaf_view(t, digest, posted, sth=sth, proof=proof)
                else:
                    row = board.leaf(checked, number)
                    view = leaf_view(
                        t, digest, index=number, raw_leaf=row.raw, sth=sth, proof=proof
                    )
                context: dict[str, Any] = {
                    "election": checked,
                    "election_title": digest.definition.value.title
                    if digest.definition
                    else checked,
                    "rehearsal": digest.rehearsal,
                }
                sth_view = tree_head_view(t, digest, sth)
        except NotFound:
            return not_found(t, remember, t.text("front.no_leaf", index=index))
        body = render(
            "leaf.html",
            t=t,
            page_title=t.text("leaf.title", index=number),
            leaf=view,
            sth=sth_view,
            links=Links(checked),
            nav=PAGES,
            current=None,
            **context,
        )
        return _html(body, t, remember)

    # --- the web booth's files (bulletin_board/booth.py) -----------------------------------

    withheld_logged: set[tuple[str, int]] = set()

    def booth_withheld(election: str) -> str | None:
        """Spec §11.14 Why this board does not serve the election's booth (a message id), or
        None: no release is in force (``booth_unpublished``), or the release in force lists
        other files than this booth's (``booth_withheld``, logged once per election and
        release)."""
        try:
            with service.digests.read(election) as (digest, _sth):
                release = digest.booth_release
        except NotFound:
            return "front.booth_unpublished"
        if release is None:
            return "front.booth_unpublished"
        differences = booth.differences(release.value.hashes())
        if differences and (election, release.index) not in withheld_logged:
            withheld_logged.add((election, release.index))
            _LOG.error(
                "booth_withheld: election %r: this board's booth differs from the booth release "
                "in force (leaf %d): %s; not serving the booth (503) until it runs the release",
                election,
                release.index,
                "; ".join(differences[:5]) + (" ..." if len(differences) > 5 else ""),
            )
        return "front.booth_withheld" if differences else None

    @app.get("/booth/{election}", include_in_schema=False)
    def booth_slash(election: str) -> Response:
        return RedirectResponse(f"/booth/{election}/", status_code=308)

    @app.api_route(
        "/booth/{election}/{path:path}", methods=["GET", "HEAD"], include_in_schema=False
    )
    def booth_file(request: Request, election: str, path: str) -> Response:
        t, remember, checked = election_of(request, election)
        if isinstance(checked, Response):
            return checked
        withheld = booth_withheld(checked)
        if withheld is not None:
            message = t.text(withheld)
            body = render("error.html", t=t, page_title=t.text("error.title"), message=message)
            status = 404 if withheld == "front.booth_unpublished" else 503
            return _html(body, t, remember, status=status)
        data = booth.lookup(path)
        if data is None:
            return not_found(t, remember, t.text("front.not_found"))
        return Response(data, headers=booth.headers(path or INDEX))

    return service


def _cosigned(board: Board, election: str) -> tuple[SignedTreeHead, list[Cosignature]] | None:
    """Spec §10.5 The largest cosigned tree head of ``election`` and its cosignatures (None:
    none yet)."""
    try:
        return cosignatures_of(board, election)
    except UnknownTreeSize:
        return None
