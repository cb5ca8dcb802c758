"""Spec §10 The board's HTTP API (FastAPI), thin over ``bulletin_board.log.Board``.

Reads are public; a write is an entry POSTed as canonical JSON, authenticated by its signature
and checked by the election's rules, answered with a receipt once durably committed. Every
error is ``{"error": {"code": ..., "message": ...}}`` with a stable code; the client's faults
are 4xx, never 500. Responses are the canonical bytes of the domain objects; the pydantic
models of bulletin_board/openapi.py only document them. CORS is off unless origins are
configured (bulletin_board/config.py); writes are rate-limited per client address, one limit
across the workers of a ``board serve`` (bulletin_board/ratelimit.py). A body above the
ordinary limit (a trustee's mix: tens of MB, tens of seconds to check) is read only while one of
a few "large" slots (per worker) is free, and every precheck runs off the event loop, so it
goes on serving other requests: a large entry's in a worker thread, the others' on the
prechecking thread, which checks those posted meanwhile together (bulletin_board/committer.py).
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, closing
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Final, TypeVar

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from bulletin_board.bodies import (
    CLOCK_BODY,
    LargeBodies,
    body_ceiling,
    check_content_type,
    read_body,
)
from bulletin_board.booth import BoothFiles
from bulletin_board.committer import batch_prechecker, group_committer
from bulletin_board.config import DEFAULT_RULES, ServeConfig, ServiceSettings
from bulletin_board.credential_index import CREDENTIAL_LENGTH
from bulletin_board.export import format_export
from bulletin_board.http_errors import ClientError, answer, error_body
from bulletin_board.index_server import CredentialIndexServer
from bulletin_board.keyfile import load_board_key
from bulletin_board.log import Board, now_ms
from bulletin_board.openapi import (
    CLOCK_REQUEST,
    COSIGNATURE_REQUEST,
    ENTRY_REQUEST,
    JSON,
    NDJSON,
    ClockAnswer,
    ConsistencyAnswer,
    CosignatureAnswer,
    CosignaturesAnswer,
    InclusionAnswer,
    LeafAnswer,
    LeavesPage,
    ReceiptModel,
    TreeHeadModel,
    error_responses,
)
from bulletin_board.pages.routes import register_pages
from bulletin_board.ratelimit import WriteRateLimiter
from bulletin_board.rule_sets import named_rules
from bulletin_board.storage import LeafRow, Storage
from bulletin_board.view_keeper import ViewKeeper
from bulletin_board.wire import check_election_id
from bulletin_board.witnessing import accept_cosignature, cosignatures_of
from bulletin_board.writer import WriterClient
from crypto import canonical
from crypto.envelope import ENTRY_HASH_LENGTH
from crypto.errors import (
    VerivoteError,
)
from crypto.merkle import HASH_LENGTH
from crypto.signing import SigningKey
from crypto.wire import parse_hex

__all__ = ["create_app", "create_app_from_config", "create_app_from_env", "create_board_app"]

MAX_INT: Final = 2**53 - 1
ENTRIES_PATH: Final = "/v1/elections/{election}/entries"
# When to retry a large entry refused for want of a free slot (a mix takes tens of seconds).
F = TypeVar("F", bound=Callable[..., Any])


def _error(
    status: int, code: str, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(error_body(code, message), status_code=status, media_type=JSON,
                    headers=headers)  # fmt: skip


# --- the application -------------------------------------------------------------------------

_DECIMAL: Final = re.compile(r"0|[1-9][0-9]{0,15}")


def _canonical_decimal(value: object) -> object:
    """Spec §10.3 An integer in a path or a query is canonical decimal: ASCII digits, no sign,
    no leading zero, no separator (pydantic alone would read ``+1``, ``0048`` and ``1_0``)."""
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise ValueError("not a canonical decimal integer (digits only, no leading zero)")
    return value


Decimal = BeforeValidator(_canonical_decimal)
ElectionId = Annotated[str, PathParam(min_length=1, max_length=63, description="election id")]
Size = Annotated[int, Decimal, PathParam(ge=0, le=MAX_INT)]


def _json(value: bytes, status: int = 200) -> Response:
    return Response(value, status_code=status, media_type=JSON)


def _leaf_answer(row: LeafRow) -> bytes:
    """Spec §10 The answer about one leaf: its bytes, leaf hash and index."""
    return b'{"leaf":%s,"leaf_hash":"%s","leaf_index":%d}' % (
        row.raw,
        row.leaf_hash.hex().encode(),
        row.index,
    )


def _chunked(lines: Iterator[bytes], size: int = 1 << 16) -> Iterator[bytes]:
    """Group small lines into chunks of about ``size`` bytes (one thread hop per chunk)."""
    buffer: list[bytes] = []
    length = 0
    for line in lines:
        buffer.append(line)
        length += len(line)
        if length >= size:
            yield b"".join(buffer)
            buffer, length = [], 0
    if buffer:
        yield b"".join(buffer)


def _page(
    rows: Generator[LeafRow, None, None], start: int, budget: int, size: Callable[[], int]
) -> Iterator[bytes]:
    """Spec §10.3 A page of leaves from ``start``: the rows in order until the next would take
    the leaf bytes above ``budget`` (the first row always comes, however large); ``next`` is the
    index of the first leaf not sent while the log (of ``size()`` leaves) holds it."""
    yield b'{"leaves":['
    index, sent = start, 0
    with closing(rows):
        for row in rows:
            if index > start and sent + len(row.raw) > budget:
                break
            yield (b"," if index > start else b"") + row.raw
            index += 1
            sent += len(row.raw)
    following = b"%d" % index if index < size() else b"null"
    yield b'],"next":%s}' % following


def _proof(proof: list[bytes]) -> list[canonical.JsonValue]:
    return [h.hex() for h in proof]


def create_app(
    board: Board,
    settings: ServiceSettings | None = None,
    *,
    own_storage: bool = False,
    rate_file: Path | None = None,
    booth: BoothFiles | None = None,
    writer: Path | None = None,
) -> FastAPI:
    """The board's FastAPI application; its lifespan runs the group-commit writer thread and
    the prechecking thread. ``rate_file``: the write-rate table shared with other workers
    (None: this process's own); ``booth``: the web booth's files it serves (None: the
    installed booth/); ``writer``: the socket of the writer process that appends for every
    worker (bulletin_board/writer.py; None: this process appends)."""
    settings = settings or ServiceSettings()
    committer = group_committer(board)
    prechecker = batch_prechecker(board, max_bytes=body_ceiling(settings))
    forward = None if writer is None else WriterClient(writer)
    limiter = WriteRateLimiter(settings.write_rate, settings.write_burst, path=rate_file)
    large = LargeBodies(settings.large_bodies)
    index = CredentialIndexServer(board)
    # A worker beside others folds what they accepted while the log grows slowly (the count).
    keeper = None if writer is None else ViewKeeper(board, board.storage.elections)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(board.check_mode)  # Spec §10.2: rehearsals apart
        await run_in_threadpool(board.check_storage)  # Spec §10.2: a corrupted log gets 503
        committer.start()
        prechecker.start()
        index.start_warming(board.storage.elections)
        if keeper is not None:
            keeper.start()
        try:
            yield
        finally:
            if keeper is not None:
                await run_in_threadpool(keeper.stop)
            await run_in_threadpool(index.stop_warming)
            pages.close()
            await run_in_threadpool(prechecker.stop)
            await run_in_threadpool(committer.stop)
            if forward is not None:
                forward.close()
            limiter.close()
            if own_storage:
                board.storage.close()

    app = FastAPI(
        title="verivote bulletin board",
        version="1",
        description="Append-only, Merkle-tree log of signed election entries (docs/spec.md §10).",
        lifespan=lifespan,
        # No /docs or /redoc: FastAPI's pages load Swagger UI and ReDoc from a CDN, and the
        # board's pages load nothing from another origin (issue 12). /openapi.json stays.
        docs_url=None,
        redoc_url=None,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET"]
        )

    @app.exception_handler(ClientError)
    async def _client_error(_request: Request, exc: ClientError) -> Response:
        return _error(exc.status, exc.code, str(exc), headers=exc.headers)

    @app.exception_handler(VerivoteError)
    async def _verivote_error(_request: Request, exc: VerivoteError) -> Response:
        return _error(*answer(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in exc.errors()
        )
        return _error(400, "bad_parameter", problems or "invalid parameter")

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _internal(_request: Request, _exc: Exception) -> Response:
        return _error(500, "internal", "internal error")

    def election_of(election: str) -> str:
        return check_election_id(election)

    def read(path: str, summary: str, model: Any = None, **more: Any) -> Callable[[F], F]:
        """A public read of one election's log (its errors: 400 and 404)."""
        responses = {**error_responses(400, 404), **more.pop("responses", {})}
        return app.get(f"/v1/elections/{{election}}{path}", summary=summary,
                       response_model=model, responses=responses, **more)  # fmt: skip

    # --- reads -------------------------------------------------------------------------------

    @app.get("/v1/elections", summary="The elections this board holds")
    def list_elections() -> Response:
        return _json(canonical.encode({"elections": list(board.storage.elections())}))

    @read("/sth", "The latest signed tree head", TreeHeadModel)
    def latest_sth(election: ElectionId) -> Response:
        return _json(board.latest_tree_head(election_of(election)).to_bytes())

    @read("/sth/{tree_size}", "The signed tree head published for a tree size", TreeHeadModel)
    def sth_by_size(election: ElectionId, tree_size: Size) -> Response:
        return _json(board.tree_head(election_of(election), tree_size).to_bytes())

    @read("/leaves/{index}", "One leaf (entry with its index and reception time)", LeafAnswer)
    def leaf_by_index(election: ElectionId, index: Size) -> Response:
        row = board.leaf(election_of(election), index)
        return _json(_leaf_answer(row))

    @read("/leaf-hash/{leaf_hash}", "The leaf with this leaf hash", LeafAnswer)
    def leaf_by_leaf_hash(election: ElectionId, leaf_hash: str) -> Response:
        h = parse_hex(leaf_hash, HASH_LENGTH, "leaf hash")
        row = board.leaf_by_hash(election_of(election), leaf_hash=h)
        return _json(_leaf_answer(row))

    @read(
        "/entry-hash/{entry_hash}",
        "The leaf holding the entry with this SHA-256 (e.g. a ballot's tracker)",
        LeafAnswer,
    )
    def leaf_by_entry_hash(election: ElectionId, entry_hash: str) -> Response:
        h = parse_hex(entry_hash, ENTRY_HASH_LENGTH, "entry hash")
        row = board.leaf_by_hash(election_of(election), entry_hash=h)
        return _json(_leaf_answer(row))

    @read(
        "/entries",
        "Leaves from start, below end: a page of at most max_page leaves and max_page_bytes "
        "of leaf bytes (a larger leaf alone); next says where the next page starts",
        LeavesPage,
    )
    def entries(
        election: ElectionId,
        start: Annotated[int, Decimal, Query(ge=0, le=MAX_INT)] = 0,
        end: Annotated[int | None, Decimal, Query(ge=0, le=MAX_INT)] = None,
    ) -> Response:
        election = election_of(election)
        stop = start + settings.max_page if end is None else min(end, start + settings.max_page)
        rows = board.leaves(election, start, stop)
        size = partial(board.storage.size, election)
        page = _page(rows, start, settings.max_page_bytes, size)
        return StreamingResponse(_chunked(page), media_type=JSON)

    @read("/credential-index", "The latest credential index head (spec §11.15)")
    def credential_index_head(election: ElectionId) -> Response:
        return _json(index.head(election_of(election)))

    @read(
        "/credential-index/{credential}",
        "One credential's record in a signed credential index, with its proof (spec §11.15)",
    )
    def credential_index(
        election: ElectionId,
        credential: str,
        min_size: Annotated[int, Decimal, Query(ge=0, le=MAX_INT)] = 0,
    ) -> Response:
        key = parse_hex(credential, CREDENTIAL_LENGTH, "credential")
        return _json(index.answer(election_of(election), key, min_size))

    @read(
        "/proof/inclusion",
        "Inclusion proof of a leaf (by index or leaf hash) to a published tree size",
        InclusionAnswer,
    )
    def inclusion(
        election: ElectionId,
        tree_size: Annotated[int | None, Decimal, Query(ge=1, le=MAX_INT)] = None,
        index: Annotated[int | None, Decimal, Query(ge=0, le=MAX_INT)] = None,
        leaf_hash: Annotated[str | None, Query(min_length=64, max_length=64)] = None,
    ) -> Response:
        election = election_of(election)
        if (index is None) == (leaf_hash is None):
            raise ClientError(400, "bad_parameter", "give exactly one of index and leaf_hash")
        if leaf_hash is not None:
            index = board.leaf_by_hash(
                election, leaf_hash=parse_hex(leaf_hash, HASH_LENGTH, "leaf hash")
            ).index
        assert index is not None
        size = tree_size if tree_size is not None else board.latest_tree_head(election).tree_size
        proof = board.inclusion_proof(election, index=index, tree_size=size)
        return _json(
            canonical.encode(
                {"leaf_index": index, "tree_size": size, "inclusion_proof": _proof(proof)}
            )
        )

    @read(
        "/proof/consistency",
        "Consistency proof between two published tree sizes",
        ConsistencyAnswer,
    )
    def consistency(
        election: ElectionId,
        first: Annotated[int, Decimal, Query(ge=0, le=MAX_INT)],
        second: Annotated[int, Decimal, Query(ge=0, le=MAX_INT)],
    ) -> Response:
        proof = board.consistency_proof(election_of(election), first=first, second=second)
        return _json(
            canonical.encode({"first": first, "second": second, "consistency_proof": _proof(proof)})
        )

    @read(
        "/export",
        "The whole log as an export file (Spec §10.4), streamed",
        responses={200: {"content": {NDJSON: {}}}},
    )
    def export(election: ElectionId) -> Response:
        election = election_of(election)
        final = board.latest_tree_head(election)
        lines = format_export(
            election=election,
            board_key=final.board_key,
            leaves=(row.raw for row in board.leaves(election, 0, final.tree_size)),
            tree_heads=(
                (h.tree_size, h.raw)
                for h in board.storage.tree_heads(election, up_to=final.tree_size)
            ),
            cosignatures=[
                c.to_bytes() for c in cosignatures_of(board, election, final.tree_size)[1]
            ],
        )
        return StreamingResponse(_chunked(lines), media_type=NDJSON)

    def clock_answer(election: str, now: int) -> Response:
        answer: dict[str, canonical.JsonValue] = {
            "election": election, "now": now, "rehearsal": board.rehearsal,
        }  # fmt: skip
        return _json(canonical.encode(answer))

    @read("/clock", "The log's clock (a rehearsal's runs ahead, Spec §10.2)", ClockAnswer)
    def clock(election: ElectionId) -> Response:
        election = election_of(election)
        return clock_answer(election, board.clock(election))

    def cosignatures_answer(election: str, tree_size: int | None) -> Response:
        head, found = cosignatures_of(board, election_of(election), tree_size)
        answer: dict[str, canonical.JsonValue] = {
            "sth": head.to_json(), "cosignatures": [c.to_json() for c in found],
        }  # fmt: skip
        return _json(canonical.encode(answer))

    @read("/cosignatures", "The largest cosigned tree head and its cosignatures (Spec §10.5)",
          CosignaturesAnswer, responses=error_responses(503))  # fmt: skip
    def latest_cosignatures(election: ElectionId) -> Response:
        return cosignatures_answer(election, None)

    @read("/cosignatures/{tree_size}", "A tree head and its witnesses' cosignatures (§10.5)",
          CosignaturesAnswer, responses=error_responses(503))  # fmt: skip
    def cosignatures(election: ElectionId, tree_size: Size) -> Response:
        return cosignatures_answer(election, tree_size)

    # --- the writes --------------------------------------------------------------------------

    async def write_body(request: Request, limits: ServiceSettings) -> bytes:
        """A write's body: within the client's write rate, JSON, within ``limits`` (a large
        body holds a slot, ``request.state.large``, the caller gives back)."""
        request.state.large = False  # before anything can refuse: the caller's finally reads it
        client = request.client.host if request.client else "unknown"
        if not limiter.allow(client):
            raise ClientError(429, "rate_limited", "too many writes", {"Retry-After": "1"})
        check_content_type(request)
        return await read_body(request, limits, large)

    @app.post(
        "/v1/elections/{election}/clock",
        summary="Advance a rehearsal log's clock (a request signed by its administrator)",
        response_model=ClockAnswer,
        responses=error_responses(400, 404, 409, 413, 415, 429),
        openapi_extra=CLOCK_REQUEST,
    )
    async def advance_clock(election: ElectionId, request: Request) -> Response:
        election = election_of(election)
        raw = await write_body(request, CLOCK_BODY)  # small: never a large slot
        now = await run_in_threadpool(board.advance_clock, election, raw)
        return clock_answer(election, now)

    @app.post(
        "/v1/elections/{election}/cosignatures",
        summary="Post a witness's cosignature of a tree head this board published (Spec §10.5)",
        status_code=201,
        response_model=CosignatureAnswer,
        responses={
            200: {"model": CosignatureAnswer, "description": "already stored"},
            **error_responses(400, 404, 409, 413, 415, 429, 503),
        },
        openapi_extra=COSIGNATURE_REQUEST,
    )
    async def post_cosignature(election: ElectionId, request: Request) -> Response:
        election = election_of(election)
        raw = await write_body(request, CLOCK_BODY)  # small: never a large slot
        cosignature, new = await run_in_threadpool(accept_cosignature, board, election, raw)
        answer = canonical.encode({"cosignature": cosignature.to_json()})
        return _json(answer, status=201 if new else 200)

    @app.post(
        ENTRIES_PATH,
        summary="Post a signed entry; answers with a receipt once durably committed",
        status_code=201,
        response_model=ReceiptModel,
        responses={
            200: {"model": ReceiptModel, "description": "already in the log: first receipt"},
            **error_responses(400, 404, 409, 413, 415, 429),
        },
        openapi_extra=ENTRY_REQUEST,
    )
    async def post_entry(election: ElectionId, request: Request) -> Response:
        election = election_of(election)
        try:
            raw = await write_body(request, settings)
            final = board.prechecks_final(election)  # before the precheck: it stays true
            if request.state.large:  # checked alone, never holding up the ordinary entries
                entry = await run_in_threadpool(
                    board.precheck, raw, election=election, max_bytes=body_ceiling(settings)
                )
            else:  # with the others posted meanwhile: ballots' proofs batched (§6.7)
                entry = await asyncio.wrap_future(prechecker.submit(election, raw))
            if forward is not None:  # the writer process appends (Spec §10.6)
                receipt, new = await forward.append(election, entry.raw, prechecked=final)
                return _json(receipt, status=201 if new else 200)
            appended = await asyncio.wrap_future(committer.submit(election, entry))
        finally:
            if request.state.large:
                large.give_back()
        return _json(appended.receipt.to_bytes(), status=201 if appended.new else 200)

    # --- the public pages (HTML, bulletin_board/pages) ---------------------------------------

    pages = register_pages(app, board, now=board.clock, booth=booth)  # rehearsal: ahead, §10.2
    app.state.pages = pages  # its digests, verdicts and downloads (benchmarks/pages_bench.py)
    _first(app, ENTRIES_PATH, "POST")
    return app


def _first(app: FastAPI, path: str, method: str) -> None:
    """Match the route of ``method`` on ``path`` before every other: the board's hot path (a
    ballot's POST) no longer tries the patterns of the 20-odd reads and pages first. A request
    for another route meets one more pattern; one for the same path with another method (GET
    entries) matches it only partly and goes on to its own route, as before."""
    routes = app.router.routes
    hot = next(
        r for r in routes
        if isinstance(r, APIRoute) and r.path == path and method in (r.methods or ())
    )  # fmt: skip
    routes.remove(hot)
    routes.insert(0, hot)


def create_board_app(
    db: str,
    key: SigningKey,
    *,
    rules: str = DEFAULT_RULES,
    clock: Callable[[], int] = now_ms,
    settings: ServiceSettings | None = None,
    elections: Sequence[str] = (),
    rehearsal: bool = False,
) -> FastAPI:
    """A board application over database URL ``db`` (migrated), signing with ``key``, running
    the named rules, with the election logs ``elections`` created if absent; a rehearsal board
    (Spec §10.2) if ``rehearsal``.

    ``clock`` is the board's clock (integer ms since the Unix epoch), the system clock by
    default: whoever builds the app in-process (a demonstration) may run it on a simulated
    clock that passes an election's days in seconds. It is deliberately not configurable from
    the command line or the environment.
    """
    storage = Storage.open(db, migrate=True)
    board = Board(storage, key, named_rules(rules), clock=clock, rehearsal=rehearsal)
    try:
        for election in elections:
            board.ensure_election(election)
    except BaseException:
        storage.close()
        raise
    return create_app(board, settings, own_storage=True)


def create_app_from_env() -> FastAPI:
    """The application configured by environment variables (for ``uvicorn --factory`` and
    several workers): see ``bulletin_board.config.ServeConfig.from_env``."""
    return create_app_from_config(ServeConfig.from_env(os.environ))


def create_app_from_config(config: ServeConfig) -> FastAPI:
    """The application of one worker of ``board serve`` (the database is migrated)."""
    storage = Storage.open(config.db, migrate=False)
    key = load_board_key(config.key_path)
    board = Board(storage, key, named_rules(config.rules), clock=config.clock or now_ms,
                  rehearsal=config.rehearsal)  # fmt: skip
    return create_app(board, config.settings, own_storage=True, rate_file=config.rate_file,
                      writer=config.writer)  # fmt: skip
