"""The click context object of the commands that talk to one election on a board.

``board_options`` declares a command's ``--board URL``, ``--election ID`` and ``--definition
FILE`` (whose id is the default election) and, for a role's commands, ``--key FILE`` and
``--passphrase-env VAR``. Their values go into one ``BoardSession`` on the click context, which
the command receives as its first argument. The session opens the board's client once (closed
with the context), folds the log, opens the sealed role key once (one passphrase prompt) and
posts the role's signed entries, each receipt checked:

    @command.command("exclude")
    @click.option("--contest", required=True)
    @board_options(role=ADMINISTRATOR)
    def exclude(session: BoardSession, contest: str) -> None:
        session.post(EXCLUSION, payload, what=f"exclusion from {contest}")
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import click

from bulletin_board.client import BoardClient
from bulletin_board.wire import Receipt
from cli._common import load_definition, read_passphrase
from crypto.credentials import CredentialCode, CredentialKey, derive_credential_key
from crypto.envelope import sign_entry
from crypto.errors import MalformedInput
from election.definition import ElectionDefinition
from election.role_keys import RoleKey
from election.rules import ElectionState

__all__ = [
    "ADMINISTRATOR",
    "ISSUER",
    "REHEARSAL",
    "TRUSTEE",
    "BoardSession",
    "Role",
    "board_options",
    "pass_session",
    "show_rehearsal",
]

REHEARSAL: Final = (
    "REHEARSAL: this board runs a rehearsal, not a real election (docs/spec.md §10.2)"
)


def show_rehearsal(client: BoardClient) -> bool:
    """Spec §10.2 Say REHEARSAL (first, on stdout) when the election's log is a rehearsal's;
    whether it is."""
    if client.rehearsal():
        click.echo(REHEARSAL)
        return True
    return False


@dataclass(frozen=True, slots=True)
class Role:
    """How a role's commands name its sealed key file: the ``--key`` default, environment
    variable and help, what the passphrase prompt names, and the line a posted entry prints."""

    name: str
    default_key: str
    envvar: str
    help: str
    env_help: str = "read the passphrase from this environment variable (default: prompt)"
    prompt: str = "{key}"
    posted: str = "{what} posted: leaf {index} of {election}"


ADMINISTRATOR: Final = Role(
    "administrator",
    "administrator.key",
    "VERIVOTE_ADMIN_KEY",
    "the sealed administrator key (verivote keys generate --role administrator)",
)
ISSUER: Final = Role(
    "issuer",
    "issuer.key",
    "VERIVOTE_ISSUER_KEY",
    "the sealed issuer key (verivote keys generate --role issuer)",
)
TRUSTEE: Final = Role(
    "trustee",
    "trustee.key",
    "VERIVOTE_TRUSTEE_KEY",
    "the sealed trustee key (verivote keys generate --role trustee)",
    env_help="read the passphrase (of the key and state files) from this variable",
    prompt="{key} and the state file",
    posted="{what} posted: leaf {index}",
)


class BoardSession:
    """A command's board, election and role key (see the module's docstring). Its fields are
    set by the options' callbacks before the command runs."""

    def __init__(self) -> None:
        self.board_url = ""
        self.election_option: str | None = None
        self.definition_path = Path("election.toml")
        self.role: Role | None = None
        self.key_path: Path | None = None
        self.passphrase_env: str | None = None
        self.timeout = 120.0
        self.patience = 0.0
        self._election: str | None = None
        self._client: BoardClient | None = None
        self._passphrase: bytes | None = None
        self._key: RoleKey | None = None

    # --- the election and the board -----------------------------------------------------------

    @property
    def election(self) -> str:
        """``--election``, else the id in the ``--definition`` file.

        Raises:
            MalformedInput: neither is available.
        """
        if self._election is None:
            if self.election_option is not None:
                self._election = self.election_option
            elif self.definition_path.exists():
                self._election = load_definition(self.definition_path).id
            else:
                raise MalformedInput(
                    f"give --election ID (no {self.definition_path} to read it from)"
                )
        return self._election

    def use_election(self, election: str) -> None:
        """Talk to ``election`` (a command that knows it otherwise, e.g. from a TOML file)."""
        self._election = election

    @property
    def client(self) -> BoardClient:
        """The board's client for the election, opened on first use (with ``timeout``)."""
        if self._client is None:
            self._client = BoardClient(self.board_url, self.election, timeout=self.timeout)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def definition(self) -> ElectionDefinition:
        """The election's definition on the board (leaf 1).

        Raises:
            MalformedInput: it is not on the board yet.
        """
        definition = self.client.definition()
        if definition is None:
            raise MalformedInput("the election definition is not on the board yet")
        return definition

    def member_credential(self, code: str | None) -> tuple[ElectionDefinition, CredentialKey]:
        """Spec §8.3 The election's definition on the board and the credential key a member's
        code gives in it; the code is asked at a hidden prompt when not given, never shown.

        Raises:
            MalformedInput: a mistyped code, or no definition on the board yet.
        """
        if code is None:
            code = click.prompt("your credential code", hide_input=True, err=True)
        parsed = CredentialCode.parse(str(code))
        definition = self.definition()
        return definition, derive_credential_key(parsed, fingerprint=definition.fingerprint)

    def fold(self, *, setup_only: bool = False) -> ElectionState:
        """Spec §11.4 The election's state, folded from the board's log (checked)."""
        state, _ = self.client.fold(setup_only=setup_only)
        return state

    # --- the role's key --------------------------------------------------------------------------

    def passphrase(self) -> bytes:
        """The passphrase of the role's key (and a trustee's state file), asked once."""
        if self._passphrase is None:
            role, path = self._role()
            what = role.prompt.format(key=path)
            self._passphrase = read_passphrase(self.passphrase_env, what=what)
        return self._passphrase

    def key(self) -> RoleKey:
        """The role's key, opened once from its sealed file.

        Raises:
            WrongPassphrase, MalformedInput, OSError.
        """
        if self._key is None:
            role, path = self._role()
            sealed = path.read_bytes()
            self._key = RoleKey.open(sealed, self.passphrase(), role=role.name)
        return self._key

    def post(
        self, type: str, payload: dict[str, Any], *, what: str, quiet: bool = False
    ) -> Receipt:
        """Sign an entry with the role's key, post it, check the receipt, and (unless
        ``quiet``) say where it landed. A board that asks to be retried later (busy checking
        another large entry) is retried for up to ``patience`` seconds."""
        role, _ = self._role()
        key = self.key()
        raw = sign_entry(
            election=self.client.election, type=type, role=key.role, payload=payload, key=key.key
        )
        receipt = self.client.post(raw, what=what, patience=self.patience)
        if not quiet:
            index, election = receipt.leaf.index, self.client.election
            click.echo(role.posted.format(what=what, index=index, election=election))
        return receipt

    def _role(self) -> tuple[Role, Path]:
        assert self.role is not None, "a command without a role key"
        assert self.key_path is not None
        return self.role, self.key_path


def _session(ctx: click.Context) -> BoardSession:
    session = ctx.find_object(BoardSession)
    if session is None:
        session = ctx.ensure_object(BoardSession)
        ctx.call_on_close(session.close)
    return session


def _option(
    name: str, attribute: str, *, role: Role | None = None, **settings: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option whose value goes into the session's ``attribute`` (and, for ``--key``, the
    session's role), not to the command's arguments."""

    def store(ctx: click.Context, _param: click.Parameter, value: Any) -> Any:
        session = _session(ctx)
        setattr(session, attribute, value)
        if role is not None:
            session.role = role
        return value

    if "default" in settings:
        settings.setdefault("show_default", True)
    return click.option(name, expose_value=False, callback=store, **settings)


pass_session: Final = click.make_pass_decorator(BoardSession)


def board_options(
    *, role: Role | None = None, election: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare ``--board`` (or VERIVOTE_BOARD), ``--election``/``--definition`` (unless
    ``election`` is False) and, for ``role``, ``--key``/``--passphrase-env``, and pass the
    command the ``BoardSession`` holding them as its first argument."""

    file = click.Path(dir_okay=False, path_type=Path)
    options = [
        _option("--board", "board_url", required=True, envvar="VERIVOTE_BOARD",
                help="the board's base URL, e.g. https://board.example.org"),
    ]  # fmt: skip
    if election:
        options += [
            _option("--election", "election_option", envvar="VERIVOTE_ELECTION",
                    help="election id (default: the id in --definition)"),
            _option("--definition", "definition_path", type=file, default="election.toml",
                    envvar="VERIVOTE_DEFINITION",
                    help="election.toml, for the election id when --election is not given"),
        ]  # fmt: skip
    if role is not None:
        options += [
            _option("--key", "key_path", type=file, default=role.default_key,
                    envvar=role.envvar, help=role.help, role=role),
            _option("--passphrase-env", "passphrase_env", metavar="VAR", help=role.env_help),
        ]  # fmt: skip

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        f = pass_session(command)
        for option in reversed(options):
            f = option(f)
        return f

    return decorate
