"""``verivote board``: run a bulletin board, export it, and monitor a running one.

Spec §10. ``serve`` migrates the database, loads or creates the board key (mode 0600), creates
the election logs asked for, then runs uvicorn with N worker processes. ``sth`` and
``check-consistency`` talk to a running board over HTTP and verify what it says with
crypto/merkle.py; ``check-consistency`` exits non-zero, saying so, when the board has
rewritten its history.
"""

from __future__ import annotations

import ipaddress
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
import httpx

from bulletin_board.client import check_board_url
from bulletin_board.client_errors import error_answer
from bulletin_board.config import ServeConfig, ServiceSettings
from bulletin_board.election_rules import ELECTION_RULES
from bulletin_board.errors import BoardError
from bulletin_board.export import export_fingerprint, verify_export
from bulletin_board.keyfile import load_or_create_board_key
from bulletin_board.rule_sets import named_rules
from cli._common import key_option
from cli._extra import STORAGE_MODULES, require_board_server
from crypto import canonical
from crypto.envelope import MAX_ENTRY_BYTES
from crypto.errors import InconsistentLog, MalformedInput
from crypto.merkle import verify_consistency
from crypto.wire import expect_list, expect_object, parse_hex
from election.wire import election_schemes

DEFAULT_KEY = "board.key"


@click.group("board")
def command() -> None:
    """Run, export and monitor a bulletin board (docs/spec.md §10)."""


def _db_option(f: Any) -> Any:
    return click.option(
        "--db",
        "db",
        required=True,
        envvar="VERIVOTE_BOARD_DB",
        help="database URL: a SQLite file path or sqlite:///PATH, or postgresql://...",
    )(f)


_key_option = key_option(
    DEFAULT_KEY,
    envvar="VERIVOTE_BOARD_KEY",
    help="board key file (created with mode 0600 if absent)",
)


def _storage(db: str, *, migrate: bool) -> Any:
    """The board's database, or one line saying why it cannot be opened (not a database, no
    such directory, a server that does not answer)."""
    import sqlalchemy.exc

    from bulletin_board.storage import Storage

    try:
        return Storage.open(db, migrate=migrate)
    except sqlalchemy.exc.SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise BoardError(f"cannot open the board database {db}: {reason}") from None


def _open_board(db: str, key_path: Path, rules: str, *, command: str, rehearsal: bool) -> Any:
    """The board over ``db`` (migrated), refusing a database of the other kind (Spec §10.2:
    rehearsal logs and real ones are never served by one board)."""
    require_board_server(command, STORAGE_MODULES)
    from bulletin_board.log import Board

    storage = _storage(db, migrate=True)
    try:
        key, created = load_or_create_board_key(key_path)
        board = Board(storage, key, named_rules(rules), rehearsal=rehearsal)
        board.check_mode()
    except BaseException:
        storage.close()
        raise
    if created:
        click.echo(f"board key created: {key_path} (public key {key.verify_key.to_hex()})")
    return board


_rehearsal_option = click.option(
    "--rehearsal",
    is_flag=True,
    help="a rehearsal board: its logs are marked as rehearsals in everything it signs, and "
    "their administrator may advance their clock (verivote admin advance-clock)",
)


@command.command("new-election")
@_db_option
@_key_option
@click.option("--election", required=True, help="election id ([a-z0-9-], up to 63)")
@click.option("--rules", default="election", show_default=True)
@_rehearsal_option
def new_election(db: str, key_path: Path, election: str, rules: str, rehearsal: bool) -> None:
    """Create an election's log; leaf 0 is the board's key entry."""
    board = _open_board(db, key_path, rules, command="board new-election", rehearsal=rehearsal)
    try:
        sth = board.create_election(election)
    finally:
        board.storage.close()
    kind = "a REHEARSAL's log" if rehearsal else "log"
    click.echo(f"election {kind} {election} created: tree size {sth.tree_size}")


@command.command("serve")
@_db_option
@_key_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--rules", default="election", show_default=True, help="rule set name")
@click.option(
    "--create-election", "create", multiple=True, help="create this election's log if absent"
)
@click.option(
    "--max-body",
    default=1 * 2**20,
    show_default=True,
    type=click.IntRange(256),
    help="bytes of an ordinary entry (a ballot is some 10 KB)",
)
@click.option(
    "--max-large-body",
    default=MAX_ENTRY_BYTES,
    show_default=True,
    type=click.IntRange(256),
    help="bytes of a large entry: a trustee's mix (~500 per ballot), the result",
)
@click.option(
    "--large-bodies",
    default=1,
    show_default=True,
    type=click.IntRange(0),
    help="large entries read and checked at a time (others: 429, retry later)",
)
@click.option(
    "--write-rate",
    default=50.0,
    show_default=True,
    type=click.FloatRange(0),
    help="writes per second per client address (0: unlimited)",
)
@click.option("--write-burst", default=100, show_default=True, type=click.IntRange(1))
@click.option("--cors-origin", "cors", multiple=True, help="allow reads from this origin")
@click.option(
    "--forwarded-allow-ips",
    "proxies",
    multiple=True,
    metavar="IP[/PREFIX]",
    help="trust X-Forwarded-For/-Proto only from this proxy address or network (repeat or "
    "comma-separate; default: from nobody)",
)
@_rehearsal_option
def serve(
    db: str,
    key_path: Path,
    host: str,
    port: int,
    workers: int,
    rules: str,
    create: tuple[str, ...],
    max_body: int,
    max_large_body: int,
    large_bodies: int,
    write_rate: float,
    write_burst: int,
    cors: tuple[str, ...],
    proxies: tuple[str, ...],
    rehearsal: bool,
) -> None:
    """Serve the board over HTTP with uvicorn (with --rehearsal: a rehearsal board, Spec §10.2)."""
    require_board_server("board serve")
    import uvicorn

    from bulletin_board.ratelimit import create_rate_file
    from bulletin_board.workers import serve_workers

    trusted = _proxy_networks(proxies)

    board = _open_board(db, key_path, rules, command="board serve", rehearsal=rehearsal)
    try:
        for election in create:
            board.ensure_election(election)
    finally:
        board.storage.close()
    settings = ServiceSettings(
        max_body_bytes=max_body,
        max_large_body_bytes=max_large_body,
        large_bodies=large_bodies,
        write_rate=write_rate,
        write_burst=write_burst,
        cors_origins=cors,
    )
    # One write-rate table for every worker (bulletin_board/ratelimit.py), private to this serve;
    # with several workers, one writer process appends for them all (bulletin_board/writer.py).
    with tempfile.TemporaryDirectory(prefix="verivote-board-") as folder:
        rate_file = Path(folder) / "write-rate"
        create_rate_file(rate_file)
        config = ServeConfig(
            db, key_path.resolve(), rules, settings, rate_file=rate_file, rehearsal=rehearsal
        )
        os.environ.update(config.to_env())
        kind = "REHEARSAL board" if rehearsal else "board"
        click.echo(f"{kind} serving on http://{host}:{port} ({workers} worker(s))")
        sys.stdout.flush()
        options: dict[str, Any] = {
            "log_level": "warning", "access_log": False, "proxy_headers": bool(trusted),
            "forwarded_allow_ips": list(trusted),
        }  # fmt: skip
        if workers == 1:
            uvicorn.run("bulletin_board.service:create_app_from_env", factory=True, host=host,
                        port=port, **options)  # fmt: skip
            return
        try:
            clean = serve_workers(config, Path(folder), host=host, port=port, workers=workers,
                                  options=options)  # fmt: skip
        except RuntimeError as exc:  # the writer did not start
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror}") from None
        if not clean:
            raise click.ClickException("a worker or the writer of the board died: restart it")


def _proxy_networks(values: tuple[str, ...]) -> tuple[str, ...]:
    """The ``--forwarded-allow-ips`` values, each an IP address or network, normalised.

    Raises:
        click.BadParameter: a value is neither (``*``, trusting everyone, is refused: anyone
            could then choose the address the write limit counts against).
    """
    networks = []
    for value in (v.strip() for item in values for v in item.split(",")):
        try:
            networks.append(str(ipaddress.ip_network(value, strict=False)))
        except ValueError:
            raise click.BadParameter(
                f"{value!r} is not an IP address or network (name your proxy's address)",
                param_hint="--forwarded-allow-ips",
            ) from None
    return tuple(networks)


@command.command("export")
@_db_option
@click.option("--election", default=None, help="election id (default: the only one)")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export(db: str, election: str | None, out: Path) -> None:
    """Write an election's whole log to an export file (Spec §10.4)."""
    require_board_server("board export", STORAGE_MODULES)
    from bulletin_board.export import format_export
    from bulletin_board.integrity import check_log, log_origin
    from bulletin_board.witnessing import stored_cosignatures

    storage = _storage(db, migrate=False)
    try:
        if election is None:
            names = storage.elections()
            if len(names) != 1:
                raise MalformedInput(f"give --election (the board holds {len(names)} elections)")
            election = names[0]
        if storage.size(election) == 0:
            raise BoardError(f"no tree head for election {election!r} on this board")
        # Spec §10.2 The board's own checks first: never export past an inconsistency.
        origin = log_origin(storage, election)
        final = check_log(storage, election, board_key=origin.key, rehearsal=origin.rehearsal)
        assert final is not None  # the log has leaves
        lines = format_export(
            election=election,
            board_key=final.board_key,
            leaves=(row.raw for row in storage.leaves(election, 0, final.tree_size)),
            tree_heads=(
                (h.tree_size, h.raw) for h in storage.tree_heads(election, up_to=final.tree_size)
            ),
            cosignatures=[c.to_bytes() for c in stored_cosignatures(storage, final)],
        )
        temporary = out.with_name(out.name + ".partial")
        with temporary.open("wb") as handle:
            for line in lines:
                handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(out)
    finally:
        storage.close()
    click.echo(f"exported {election}: {final.tree_size} leaves to {out}")


@command.command("verify-export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rules", default="election", show_default=True)
def verify_export_command(file: Path, rules: str) -> None:
    """Check an export offline: signatures, every tree head's root, order (Spec §10.4)."""
    schemes = named_rules(rules).schemes
    if rules == ELECTION_RULES:
        with file.open("rb") as handle:
            schemes = election_schemes(export_fingerprint(handle))
    with file.open("rb") as handle:
        summary = verify_export(handle, schemes)
    kind = "a REHEARSAL's export" if summary.rehearsal else "export"
    click.echo(
        f"{kind} of {summary.election} verified: {summary.leaves} leaves, "
        f"{summary.tree_heads} tree heads, root {summary.final.root_hash.hex()}"
    )


# --- talking to a running board --------------------------------------------------------------


def _get(client: httpx.Client, path: str, **params: int) -> Any:
    try:
        response = client.get(path, params=params)
    except httpx.HTTPError as exc:
        raise BoardError(f"cannot reach the board: {exc}") from None
    if response.status_code != 200:
        error = error_answer(response.content)
        detail = f"HTTP {response.status_code}" if error is None else ": ".join(error)
        raise _BoardAnswered(response.status_code, detail)
    return canonical.decode(response.content)


class _BoardAnswered(BoardError):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"the board answered {detail}")
        self.status = status


@command.command("sth")
@click.option("--url", required=True, help="board base URL, e.g. http://127.0.0.1:8000")
@click.option("--election", required=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def sth(url: str, election: str, out: Path | None) -> None:
    """Fetch, verify and print (or save) the board's latest signed tree head."""
    from bulletin_board.wire import SignedTreeHead

    with httpx.Client(base_url=check_board_url(url), timeout=30) as client:
        head = SignedTreeHead.from_json(_get(client, f"/v1/elections/{election}/sth"))
    if head.election != election:
        raise MalformedInput(f"the board sent a tree head for {head.election!r}")
    text = head.to_bytes().decode() + "\n"
    if out is not None:
        out.write_text(text)
    click.echo(text, nl=False)


@command.command("check-consistency")
@click.option("--url", required=True, help="board base URL")
@click.option(
    "--old",
    "old_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="a signed tree head you kept (from `verivote board sth --out`)",
)
@click.option("--update", is_flag=True, help="on success, save the new tree head in --old")
def check_consistency(url: str, old_path: Path, update: bool) -> None:
    """Monitor: check the board's current tree head extends one you kept (Spec §9.3)."""
    from bulletin_board.wire import SignedTreeHead

    old = SignedTreeHead.from_json(_parse_json_file(old_path))
    base = f"/v1/elections/{old.election}"
    with httpx.Client(base_url=check_board_url(url), timeout=30) as client:
        new = SignedTreeHead.from_json(_get(client, f"{base}/sth"))
        if new.election != old.election:
            raise MalformedInput(f"the board sent a tree head for {new.election!r}")
        if new.board_key != old.board_key:
            raise InconsistentLog(
                f"the board now signs with key {new.board_key.hex()}, not "
                f"{old.board_key.hex()}: it is not the board you checked before"
            )
        if new.tree_size < old.tree_size:
            raise InconsistentLog(
                f"BOARD HISTORY REWRITTEN: the log shrank from {old.tree_size} to "
                f"{new.tree_size} leaves (signed tree heads of both are evidence)"
            )
        try:
            answer = _get(client, f"{base}/proof/consistency", first=old.tree_size,
                          second=new.tree_size)  # fmt: skip
        except _BoardAnswered as exc:
            if exc.status != 404:
                raise
            raise InconsistentLog(
                f"BOARD HISTORY REWRITTEN: the board no longer knows the tree head of size "
                f"{old.tree_size} that it signed ({exc})"
            ) from None
    obj = expect_object(answer, "consistency answer", required={"first", "second",
                        "consistency_proof"})  # fmt: skip
    proof = [
        parse_hex(h, 32, "consistency proof hash")
        for h in expect_list(obj["consistency_proof"], "consistency proof", max_length=128)
    ]
    if obj["first"] != old.tree_size or obj["second"] != new.tree_size:
        raise MalformedInput("the board answered a consistency proof for other sizes")
    try:
        verify_consistency(
            old_size=old.tree_size,
            new_size=new.tree_size,
            old_root=old.root_hash,
            new_root=new.root_hash,
            proof=proof,
        )
    except InconsistentLog as exc:
        raise InconsistentLog(
            f"BOARD HISTORY REWRITTEN: tree head {new.tree_size} does not extend the tree head "
            f"{old.tree_size} you kept: {exc}"
        ) from None
    click.echo(
        f"consistent: {old.election} grew from {old.tree_size} to {new.tree_size} leaves; "
        f"root {new.root_hash.hex()}"
    )
    if update:
        old_path.write_text(new.to_bytes().decode() + "\n")


def _parse_json_file(path: Path) -> Any:
    """A kept tree head file (``board sth --out``): a file a person handles (Spec §4.2), its
    signature checked over its canonical encoding."""
    try:
        return canonical.decode_document(path.read_bytes().strip(), max_bytes=4096)
    except MalformedInput as exc:
        raise MalformedInput(f"{path} is not a signed tree head: {exc}") from None
