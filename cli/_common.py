"""What the role commands share: passphrases, sealed files (mode 0600), role keys, the board
client, and one-line progress."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from bulletin_board.client import BoardClient
from bulletin_board.wire import Receipt, sign_entry
from crypto.credentials import CredentialCode, CredentialKey, derive_credential_key
from crypto.errors import MalformedInput
from election.definition import ElectionDefinition
from election.role_keys import RoleKey

STRENGTH_CHOICE: Final = click.Choice(["moderate", "interactive"])
console = Console(stderr=True)


def key_option(
    default: str | Path, *, envvar: str, help: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--key FILE`` (parameter ``key_path``): a role's sealed key file, or the board's."""
    return click.option(
        "--key",
        "key_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=default,
        show_default=True,
        envvar=envvar,
        help=help,
    )


def passphrase_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--passphrase-env",
        "passphrase_env",
        default=None,
        metavar="VAR",
        help="read the passphrase from this environment variable (default: prompt)",
    )(f)


def read_passphrase(env: str | None, *, what: str, confirm: bool = False) -> bytes:
    """The passphrase from environment variable ``env``, or typed at a hidden prompt.

    Raises:
        MalformedInput: the variable is unset or empty.
    """
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise MalformedInput(f"environment variable {env} holds no passphrase")
        return value.encode("utf-8")
    typed = click.prompt(
        f"passphrase for {what}", hide_input=True, confirmation_prompt=confirm, err=True
    )
    if not typed:
        raise MalformedInput("empty passphrase")
    return str(typed).encode("utf-8")


def write_new_secret(path: Path, data: bytes) -> None:
    """Create ``path`` with mode 0600 holding ``data``; never overwrite.

    Raises:
        FileExistsError: the file exists.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def replace_secret(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600 (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def load_role_key(path: Path, role: str, passphrase_env: str | None) -> RoleKey:
    """Open a sealed role key file.

    Raises:
        WrongPassphrase, MalformedInput, OSError.
    """
    sealed = path.read_bytes()
    return RoleKey.open(sealed, read_passphrase(passphrase_env, what=str(path)), role=role)


def load_definition(path: Path) -> ElectionDefinition:
    """Read and validate an election.toml. Raises: DefinitionError, OSError."""
    return ElectionDefinition.from_toml(path.read_text(encoding="utf-8"), source=str(path))


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields ``advance(n)``."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance


# --- talking to a board ----------------------------------------------------------------------


def board_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--board URL``, ``--election ID`` and ``--definition FILE`` (whose id is the default)."""
    f = click.option(
        "--definition",
        "definition_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="election.toml",
        show_default=True,
        envvar="VERIVOTE_DEFINITION",
        help="election.toml, for the election id when --election is not given",
    )(f)
    f = click.option(
        "--election",
        default=None,
        envvar="VERIVOTE_ELECTION",
        help="election id (default: the id in --definition)",
    )(f)
    return click.option(
        "--board",
        "board_url",
        required=True,
        envvar="VERIVOTE_BOARD",
        help="the board's base URL, e.g. https://board.example.org",
    )(f)


def election_id(election: str | None, definition_path: Path) -> str:
    """The election id: ``--election``, else the id in the definition file.

    Raises:
        MalformedInput: neither is available.
    """
    if election is not None:
        return election
    if definition_path.exists():
        return load_definition(definition_path).id
    raise MalformedInput(f"give --election ID (no {definition_path} to read it from)")


def member_credential(
    code: str | None, client: BoardClient
) -> tuple[ElectionDefinition, CredentialKey]:
    """The election's definition on the board and the credential key a member's code gives
    in it (§8.3); the code is asked at a hidden prompt when not given, and never shown.

    Raises:
        MalformedInput: a mistyped code, or no definition on the board yet.
    """
    if code is None:
        code = click.prompt("your credential code", hide_input=True, err=True)
    parsed = CredentialCode.parse(str(code))
    definition = client.definition()
    if definition is None:
        raise MalformedInput("the election definition is not on the board yet")
    return definition, derive_credential_key(parsed, fingerprint=definition.fingerprint)


def open_client(board_url: str, election: str) -> BoardClient:
    return BoardClient(board_url, election)


def post_entry(
    client: BoardClient, *, type: str, payload: dict[str, Any], key: RoleKey, what: str
) -> Receipt:
    """Sign an entry with a role key, post it, check the receipt, say where it landed."""
    raw = sign_entry(
        election=client.election, type=type, role=key.role, payload=payload, key=key.key
    )
    receipt = client.post(raw, what=what)
    click.echo(f"{what} posted: leaf {receipt.leaf.index} of {client.election}")
    return receipt
