"""Every CLI command against bad input (issue 16 item 7): the click tree is walked, so a new
command is covered without editing this file. Each command runs with every file it takes
missing, then full of junk; with its board unreachable, malformed as a URL, and answering
garbage (a real HTTP server on 127.0.0.1 answering junk bodies, wrong statuses, or closing the
connection). In the board scenarios its files are valid where they can be (the example
definition, sealed role keys, a real receipt file and tree head), so that it gets as far as
the network. Every run must exit non-zero with one line on stderr, and no traceback.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from cli.main import verivote
from crypto.credentials import CredentialCode
from tests.board.bad_board import bad_board
from tests.fuzz.budget import Figures

PASSPHRASE_ENV = "VV_FUZZ_PASS"
EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "election.toml"
VECTORS = Path(__file__).resolve().parents[1] / "vectors"
JUNK = b"\xff\xfe{not json\x00\n\x1b[2J" + b"[" * 100


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


COMMANDS = list(_commands(verivote))
URL_PARAMS = {"board", "board_url", "url", "source"}
ROLES = {"admin": "administrator", "credentials": "issuer", "trustee": "trustee"}


def _command(path: tuple[str, ...]) -> click.Command:
    command: Any = verivote
    for name in path:
        command = command.commands[name]
    return command  # type: ignore[no-any-return]


@dataclass
class Files:
    """What a scenario gives a command for its parameters."""

    path: Path  # every file or directory parameter
    url: str
    db: str
    definition: Path | None = None  # valid files, where the scenario has them
    keys: dict[str, Path] | None = None
    receipt: Path | None = None
    tree_head: Path | None = None


def _arguments(path: tuple[str, ...], files: Files) -> list[str]:
    """Every parameter a command takes that names a file, a board or a database, and the
    required others, filled in from ``files``."""
    args: list[str] = []
    for param in _command(path).params:
        if param.name in (None, "help"):
            continue
        value = _value(path, param, files)
        if value is None:
            continue
        if isinstance(param, click.Argument):
            args.append(value)
        elif isinstance(param, click.Option) and param.is_flag:
            if value == "flag":
                args.append(param.opts[0])
        else:
            args += [param.opts[0], value]
    return args


def _value(path: tuple[str, ...], param: click.Parameter, files: Files) -> str | None:
    name = param.name or ""
    if name in URL_PARAMS and not (name == "source" and files.url == ""):
        return files.url or str(files.path)
    if name == "db":
        return files.db
    if name == "passphrase_env":
        return PASSPHRASE_ENV
    if name == "yes":
        return "flag"
    if isinstance(param.type, click.Path):
        if name in ("definition", "definition_path") and files.definition is not None:
            return str(files.definition)
        if name in ("key", "key_path") and files.keys is not None and path[0] in ROLES:
            return str(files.keys[ROLES[path[0]]])
        if name in ("receipt", "receipt_file") and files.receipt is not None:
            return str(files.receipt)
        if name in ("old_path", "since") and files.tree_head is not None:
            return str(files.tree_head)
        return str(files.path)
    if name == "code":
        return CODE
    if name == "kdf":
        return "interactive"
    if not param.required:
        return None
    if isinstance(param.type, click.Choice):
        return str(param.type.choices[0])
    if isinstance(param.type, click.types.IntParamType | click.types.FloatParamType):
        return "1"
    return {"election": "nec-2027", "time": "2030-01-01T00:00:00Z"}.get(name, "x")


#: A well-formed credential code (``credentials check`` would prompt for one).
CODE = CredentialCode.unsafe_from_entropy(bytes(15)).formatted()


def _run(path: tuple[str, ...], files: Files, figures: Figures) -> Result:
    envvars = {
        str(p.envvar)
        for c in (_command(path),)
        for p in c.params
        if isinstance(p, click.Option) and isinstance(p.envvar, str)
    }
    env: dict[str, str | None] = dict.fromkeys(envvars)
    env[PASSPHRASE_ENV] = "correct horse battery staple"
    args = [*path, *_arguments(path, files)]
    result = CliRunner().invoke(verivote, args, env=env, input="")
    figures.inputs += 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    if crashed or "Traceback" in result.output:
        figures.tracebacks += 1
    where = " ".join(args)
    assert not crashed, f"{where}: traceback\n{_traceback(result)}"
    assert result.exit_code != 0, f"{where}: succeeded\n{result.output}"
    assert len(lines) == 1, f"{where}: {len(lines)} lines on stderr\n{result.stderr}"
    assert lines[0].startswith("error: "), f"{where}: {lines[0]}"
    return result


def _traceback(result: Result) -> str:
    import traceback

    assert result.exc_info is not None
    return "".join(traceback.format_exception(*result.exc_info))[-3000:]


# --- the scenarios ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def unreachable() -> str:
    """A URL nothing listens on (a port bound and closed again)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _files(folder: Path, *, url: str, junk: bool) -> Files:
    blocker = folder / "a-file"
    blocker.write_bytes(b"not a directory")
    garbage = folder / "garbage"
    garbage.write_bytes(JUNK)
    if junk:
        return Files(garbage, url=url, db=str(garbage))
    return Files(blocker / "missing", url=url, db=f"sqlite:///{blocker / 'missing.db'}")


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("junk", [False, True], ids=["missing-files", "junk-files"])
def test_bad_files(
    path: tuple[str, ...], junk: bool, folder: Path, unreachable: str, figures: Figures
) -> None:
    _run(path, _files(folder, url=unreachable if not junk else "", junk=junk), figures)


@pytest.fixture(scope="module")
def valid(folder: Path) -> Files:
    """Valid files: the example definition, a sealed key per role, a real receipt file and
    the tree head it holds."""
    keys = {}
    for role in ROLES.values():
        keys[role] = folder / f"{role}.key"
        result = CliRunner().invoke(
            verivote,
            ["keys", "generate", "--role", role, "--out", str(keys[role]),
             "--passphrase-env", PASSPHRASE_ENV, "--kdf", "interactive"],
            env={PASSPHRASE_ENV: "correct horse battery staple"},
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    vector = json.loads((VECTORS / "receipts" / "receipts.json").read_text())
    receipt = folder / "receipt.json"
    receipt.write_text(vector["receipt_file"])
    tree_head = folder / "kept.sth"
    sth = json.loads(vector["receipt_file"])["receipt"]["sth"]
    tree_head.write_text(json.dumps(sth, sort_keys=True, separators=(",", ":")) + "\n")
    garbage = folder / "garbage"
    garbage.write_bytes(JUNK)
    return Files(garbage, url="", db=str(garbage), definition=EXAMPLE, keys=keys,
                 receipt=receipt, tree_head=tree_head)  # fmt: skip


def _needs_board(path: tuple[str, ...]) -> bool:
    return any(p.name in URL_PARAMS for p in _command(path).params)


BOARD_COMMANDS = [path for path in COMMANDS if _needs_board(path)]

REFUSAL = b'{"error":{"code":"rate_limited","message":"too many writes"}}'

#: A hostile board's answers: (status, body) for every request, or None to close the connection,
#: and the headers sent with it.
ANSWERS: dict[str, tuple[tuple[int, bytes] | None, dict[str, str]]] = {
    "junk": ((200, JUNK), {}),
    "json-of-another-shape": ((200, b'{"elections":[{"x":1}],"leaves":7,"tree_size":"1"}'), {}),
    "html-500": ((500, b"<html><body>Internal Server Error</body></html>"), {}),
    "error-with-control-characters": (
        (409, b'{"error":{"code":"x\\u001b[2J","message":"line one\\nline two\\ud800"}}'),
        {},
    ),
    "too-deep": ((200, b"[" * 5000 + b"]" * 5000), {}),
    # json.loads raises RecursionError on it, not ValueError
    "error-too-deep": ((409, b'{"error":' + b"[" * 5000 + b"]" * 5000 + b"}"), {}),
    "error-not-json": ((409, b"Conflict: try later"), {"content-type": "text/plain"}),
    # str.isdigit() accepts a superscript two, float() does not
    "retry-after-superscript": ((429, REFUSAL), {"retry-after": "\u00b2"}),
    "retry-after-negative": ((429, REFUSAL), {"retry-after": "-1"}),
    "retry-after-a-word": ((429, REFUSAL), {"retry-after": "soon"}),
    "retry-after-huge": ((429, REFUSAL), {"retry-after": "9" * 400}),
    "closes-the-connection": (None, {}),
    "cuts-the-answer-short": ((200, b'{"leaves":[{"leaf'), {"content-length": "100000"}),
}


@pytest.mark.parametrize("path", BOARD_COMMANDS, ids=" ".join)
def test_bad_boards(
    path: tuple[str, ...], valid: Files, unreachable: str, figures: Figures
) -> None:
    for url in (unreachable, "not a url", "ftp://board.example", "http://[::1"):
        _run(path, Files(**{**valid.__dict__, "url": url}), figures)
    for answer, headers in ANSWERS.values():
        with bad_board({}, answer, headers=headers) as url:
            _run(path, Files(**{**valid.__dict__, "url": url}), figures)


def test_every_command_is_walked() -> None:
    """The walk finds the commands (a group added later is walked too)."""
    assert ("verify",) in COMMANDS
    assert ("board", "serve") in COMMANDS
    assert ("admin", "publish") in COMMANDS
    assert len(BOARD_COMMANDS) >= 20
