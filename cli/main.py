"""Entry point of the ``verivote`` command.

Errors a user can meet are printed as one line (what is wrong, what to do) and the command exits
by one rule (``exit_status``, README "Exit status"): 1 when the command ran and the answer is no
(a check failed, the board refused an entry under the election's rules), 2 when it could not do
what was asked (a usage mistake, a file missing or not of its form, a wrong passphrase, something
that is not there, a board not reached). Click's usage errors are one line too.
tests/fuzz/test_cli.py runs every command against bad input and holds it to that.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from bulletin_board.client import BoardRefused
from bulletin_board.errors import BoardError, LogCorrupted
from crypto.errors import MalformedInput, VerivoteError, WrongPassphrase

# Each command group lives in its own module and exposes a click command named ``command``.
_COMMAND_MODULES = (
    "cli.count",
    "cli.papers",
    "cli.demo",
    "cli.election",
    "cli.board",
    "cli.keys",
    "cli.admin",
    "cli.roll",
    "cli.credentials",
    "cli.trustee",
    "cli.cast",
    "cli.receipt",
    "cli.audit",
    "cli.verify",
    "cli.report",
    "cli.witness",
    "cli.booth",
)


class _Verivote(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.exceptions.NoArgsIsHelpError:
            raise  # a group run bare shows its help
        except click.UsageError as exc:  # click's own form spans four lines
            where = (exc.ctx or ctx).command_path
            _fail(f"{exc.format_message()} (see: {where} --help)", code=exc.exit_code)
        except VerivoteError as exc:
            _fail(str(exc), code=exit_status(exc))
        except UnicodeDecodeError as exc:  # a reader that did not name its file
            _fail(f"the input is not UTF-8 text (byte {exc.start})", code=2)
        except OSError as exc:
            _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), code=2)


def exit_status(exc: VerivoteError) -> int:
    """The CLI's one rule for the status of an error (README, "Exit status").

    1, the answer is no: a check failed (a signature, proof, receipt, audit, count or stored log
    that does not hold) or the board refused an entry under the election's rules (HTTP 409).
    2, the command could not do what was asked: input that does not parse, a wrong passphrase,
    something the board does not have (404), a request it could not take (400, 413, 415, 429,
    503), a board that cannot be reached.
    """
    declared = getattr(exc, "exit_status", None)  # an error that states its own (ReportError)
    if isinstance(declared, int):
        return declared
    if isinstance(exc, BoardRefused):
        return 1 if exc.status == 409 else 2
    if isinstance(exc, LogCorrupted):
        return 1
    if isinstance(exc, MalformedInput | WrongPassphrase | BoardError):
        return 2
    return 1


def _fail(message: str, *, code: int) -> None:
    """Print ``message`` as one line (white space collapsed, anything unprintable escaped: it
    may quote what a hostile board or file said) and exit with ``code``."""
    line = "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
        for c in " ".join(message.split())
    )
    click.echo(f"error: {line}", err=True)
    sys.exit(code)


@click.group(cls=_Verivote, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="verivote")
def verivote() -> None:
    """verivote: end-to-end verifiable elections for membership organisations."""


for _name in _COMMAND_MODULES:
    verivote.add_command(importlib.import_module(_name).command)


def main() -> None:
    verivote()
