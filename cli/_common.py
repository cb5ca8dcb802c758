"""What the commands share: passphrases, sealed files (mode 0600), the election.toml reader,
and one-line progress (the board, election and role key of a command: cli/_context.py)."""

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

from crypto.errors import MalformedInput
from election.definition import ElectionDefinition

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


MIN_PASSPHRASE: Final = 12
"""Characters a new passphrase needs: it alone protects a copied key file (Argon2id slows each
guess to about a second, which does not save a short one)."""


def check_new_passphrase(value: str) -> str:
    """Raises: MalformedInput: shorter than ``MIN_PASSPHRASE`` characters (the line says why)."""
    if len(value) < MIN_PASSPHRASE:
        raise MalformedInput(
            f"the passphrase has {len(value)} character(s): use at least {MIN_PASSPHRASE}, e.g. "
            "three or four unrelated words, because it alone protects the key file from an "
            "offline guessing attack if the file is ever copied"
        )
    return value


def read_passphrase(env: str | None, *, what: str, confirm: bool = False) -> bytes:
    """The passphrase from environment variable ``env``, or typed at a hidden prompt; with
    ``confirm`` (a new one) typed twice, and at least ``MIN_PASSPHRASE`` characters (a short
    one typed is asked again, saying why).

    Raises:
        MalformedInput: the variable is unset or empty, or a new passphrase is too short.
    """
    if env is not None:
        value = os.environ.get(env)
        if not value:
            raise MalformedInput(f"environment variable {env} holds no passphrase")
        return (check_new_passphrase(value) if confirm else value).encode("utf-8")

    while True:
        typed = str(click.prompt(f"passphrase for {what}", hide_input=True, err=True))
        if not typed:
            raise MalformedInput("empty passphrase")
        if not confirm:
            break
        try:
            check_new_passphrase(typed)
        except MalformedInput as exc:
            click.echo(f"  {exc}", err=True)  # said, not hidden like click's own prompt error
            continue
        if str(click.prompt("repeat it", hide_input=True, err=True)) == typed:
            break
        click.echo("  the two entries differ: type it again", err=True)
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


def load_definition(path: Path) -> ElectionDefinition:
    """Read and validate an election.toml. Raises: DefinitionError, MalformedInput (not UTF-8
    text), OSError."""
    return ElectionDefinition.from_toml(read_text(path), source=str(path))


def read_text(path: Path) -> str:
    """A text file's content. Raises: MalformedInput (not UTF-8), OSError."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedInput(f"{path} is not UTF-8 text (byte {exc.start})") from None


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
