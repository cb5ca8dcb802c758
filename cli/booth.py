"""``verivote booth check URL``: is the web booth a board serves the one published for the
election (spec §11.14)?

It reads the election's log up to the board's signed tree head (every signature and the root
checked, as every client does), takes the booth release in force, fetches every file of the
release from the board, and compares each file's SHA-256 with the published one, and the
headers each is sent with with the booth's policy (scripts only from the board and the inline
import maps of the published pages, by hash; nothing from another origin; no eval, no framing).
One line per mismatch; exit 0 when everything matches, 1 when anything does not.
"""

from __future__ import annotations

import hashlib
import sys
from urllib.parse import urlsplit

import click
import httpx

from bulletin_board.booth import content_type, import_map_hashes
from bulletin_board.client import BoardClient, BoardUnreachable, check_board_url, printable
from crypto.errors import MalformedInput
from election.wire import BoothRelease

__all__ = ["check_booth", "command", "policy_problems", "split_booth_url"]

#: The directives a booth's policy must carry exactly (spec §11.14, informative).
_REQUIRED = {
    "default-src": ["'none'"],
    "style-src": ["'self'"],
    "connect-src": ["'self'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}
_ALLOWED_SOURCES = {"'self'", "'none'", "data:"}


@click.group("booth")
def command() -> None:
    """The web booth: check that a board serves the booth published for an election."""


def split_booth_url(url: str) -> tuple[str, str]:
    """``BOARD/booth/ELECTION/`` -> (BOARD, ELECTION).

    Raises:
        MalformedInput: not a booth URL.
    """
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise MalformedInput(f"{printable(url, 200)} is not a URL ({exc})") from None
    before, marker, after = parts.path.partition("/booth/")
    election = after.strip("/")
    if not marker or not election or "/" in election or parts.query or parts.fragment:
        raise MalformedInput(
            f"{printable(url, 200)} is not a booth URL: give BOARD/booth/ELECTION/, "
            "e.g. http://127.0.0.1:8000/booth/e1/"
        )
    board = check_board_url(f"{parts.scheme}://{parts.netloc}{before}")
    return board, election


def policy_problems(policy: str, allowed_hashes: set[str]) -> list[str]:
    """What is wrong with a booth page's Content-Security-Policy (empty: nothing)."""
    directives: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        words = directive.split()
        if words:
            directives[words[0].lower()] = words[1:]
    problems = [
        f"{name} is {' '.join(directives.get(name, ['missing']))}, not {' '.join(want)}"
        for name, want in _REQUIRED.items()
        if directives.get(name) != want
    ]
    scripts = directives.get("script-src", [])
    if not scripts or scripts[0] != "'self'":
        problems.append(f"script-src is {' '.join(scripts) or 'missing'}, not 'self' first")
    extra = [s for s in scripts[1:] if s not in allowed_hashes]
    if extra:
        problems.append(f"script-src allows {' '.join(extra)}: not a published import map")
    for name, sources in directives.items():
        others = [s for s in sources if s not in _ALLOWED_SOURCES and not s.startswith("'sha256-")]
        if others:
            problems.append(f"{name} allows {' '.join(others)}")
    return problems


def check_booth(url: str, *, timeout: float = 60.0) -> tuple[BoothRelease, list[str]]:
    """Spec §11.14 The release in force for the booth at ``url`` and the mismatches found.

    Raises:
        MalformedInput: not a booth URL, or no release is published for the election.
        BoardUnreachable: the board cannot be reached, or drops a booth file's answer.
    """
    board, election = split_booth_url(url)
    with BoardClient(board, election) as client:
        state, _head = client.fold(setup_only=True)
    release = state.setup.booth_release
    if release is None:
        raise MalformedInput(
            f"no booth release is published for election {election}: there is nothing to "
            "check its booth against (the administrator runs verivote admin booth-release)"
        )
    base = f"{board.rstrip('/')}/booth/{election}/"
    problems: list[str] = []
    fetched: dict[str, bytes] = {}
    policies: dict[str, str] = {}
    with httpx.Client(timeout=timeout) as http:
        for item in release.files:
            answer = _fetch(http, base + item.path)
            if answer.status_code != 200:
                problems.append(f"{item.path}: the board answers HTTP {answer.status_code}")
                continue
            fetched[item.path] = answer.content
            policies[item.path] = answer.headers.get("content-security-policy", "")
            if hashlib.sha256(answer.content).digest() != item.sha256:
                problems.append(f"{item.path}: the served file differs from the published one")
            want = content_type(item.path).partition(";")[0]
            got = answer.headers.get("content-type", "").partition(";")[0].strip().lower()
            if got != want:
                problems.append(f"{item.path}: sent as {got or 'no type'}, not {want}")
            if answer.headers.get("x-content-type-options", "").lower() != "nosniff":
                problems.append(f"{item.path}: sent without X-Content-Type-Options: nosniff")
        entry = _fetch(http, base)
        if entry.status_code != 200 or entry.content != fetched.get("index.html"):
            problems.append(f"{base}: not the published index.html")
    published = {
        f.path: fetched[f.path]
        for f in release.files
        if f.path in fetched and hashlib.sha256(fetched[f.path]).digest() == f.sha256
    }
    allowed = set(import_map_hashes(published))
    for path, policy in policies.items():
        problems += [f"{path}: policy: {p}" for p in policy_problems(policy, allowed)]
    return release, problems


def _fetch(http: httpx.Client, url: str) -> httpx.Response:
    """``GET url``, its whole answer read.

    Raises:
        BoardUnreachable: no answer (refused, dropped, cut short, timed out).
    """
    try:
        return http.get(url)
    except httpx.HTTPError as exc:
        raise BoardUnreachable(
            f"cannot fetch {printable(url, 200)} from the board: {printable(str(exc), 200)} "
            "(check the board is up and try again)"
        ) from None


@command.command("check")
@click.argument("url")
def _check(url: str) -> None:
    """Check that the booth at URL (BOARD/booth/ELECTION/) is, file for file, the booth
    release published on the election's log, sent with a strict policy."""
    release, problems = check_booth(url)
    for problem in problems:
        click.echo(f"MISMATCH {printable(problem, 300)}")
    if problems:
        click.echo(
            f"the booth served at {url} is NOT booth release {release.version} "
            f"({len(problems)} mismatches): do not vote with it; tell the administrator"
        )
        sys.exit(1)
    click.echo(
        f"OK: the booth served at {url} is booth release {release.version}, "
        f"{len(release.files)} files, each with the published SHA-256 and a strict policy"
    )
