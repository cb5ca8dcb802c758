"""Delivering credential letters by SMTP (plain text), one connection for many letters."""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import click

from bulletin_board.wire import BOOTH_PATH, PAGE_PATH
from crypto.errors import MalformedInput
from election.definition import ElectionDefinition, Timetable
from election.issuer import Letter, Where, letter_text


@dataclass(frozen=True, slots=True)
class Smtp:
    """Where and how to send: ``host:port``, the sender, STARTTLS, optional login."""

    host: str
    port: int
    sender: str
    starttls: bool = False
    user: str | None = None
    password: str | None = None

    @classmethod
    def from_options(
        cls,
        address: str,
        sender: str | None,
        *,
        starttls: bool,
        user: str | None,
        password_env: str | None,
    ) -> Smtp:
        """Raises: MalformedInput (a bad host:port, no sender, a missing password)."""
        host, sep, port = address.rpartition(":")
        if not sep or not host or not (port.isascii() and port.isdigit()):
            raise MalformedInput(f"--smtp {address!r}: write HOST:PORT, e.g. mail.example.org:587")
        if not sender:
            raise MalformedInput("--smtp needs --from ADDRESS")
        password = None
        if user is not None:
            if password_env is None or not os.environ.get(password_env):
                raise MalformedInput("--smtp-user needs --smtp-password-env VAR holding it")
            password = os.environ[password_env]
        return cls(host, int(port), sender, starttls, user, password)


def smtp_options(f: Callable[..., object]) -> Callable[..., object]:
    for option in reversed(
        [
            click.option("--smtp", "smtp_address", metavar="HOST:PORT", help="send by email"),
            click.option("--from", "sender", metavar="ADDRESS", help="the letters' sender"),
            click.option("--smtp-starttls", is_flag=True, help="upgrade with STARTTLS"),
            click.option("--smtp-user", default=None, help="log in as this user"),
            click.option("--smtp-password-env", default=None, metavar="VAR"),
            click.option(
                "--vote-url",
                default=None,
                help="the web booth named in the letters (default: the board's, "
                "BOARD/booth/ELECTION/)",
            ),
        ]
    ):
        f = option(f)
    return f


def where(board_url: str, election: str, vote_url: str | None) -> Where:
    """Where the letters send members: the board, the election's public page on it (the
    timetable in force) and the web booth (``--vote-url``, else the board's)."""
    board = board_url.rstrip("/")
    return Where(
        board=board,
        page=board + PAGE_PATH.format(election=election),
        booth=vote_url or board + BOOTH_PATH.format(election=election),
    )


def send_letters(
    smtp: Smtp,
    letters: Sequence[Letter],
    definition: ElectionDefinition,
    *,
    where: Where,
    timetable: Timetable,
    advance: Callable[[int], None],
) -> list[tuple[str, str]]:
    """Send each letter; the (member id, reason) of those that could not be sent.

    Raises:
        OSError, smtplib.SMTPException: the server cannot be reached at all.
    """
    failures: list[tuple[str, str]] = []
    with smtplib.SMTP(smtp.host, smtp.port, timeout=60) as server:
        if smtp.starttls:
            # The server's certificate is verified (the system's CAs, or SSL_CERT_FILE): the
            # letters carry secrets, and smtplib's default context verifies nothing.
            server.starttls(context=ssl.create_default_context())
        if smtp.user is not None and smtp.password is not None:
            server.login(smtp.user, smtp.password)
        for letter in letters:
            message = EmailMessage()
            message["From"] = smtp.sender
            message["To"] = f"{letter.member.name} <{letter.member.email}>"
            message["Subject"] = f"Your voting credential: {definition.title}"
            message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
            message.set_content(letter_text(letter, definition, where=where, timetable=timetable))
            try:
                server.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                failures.append((letter.member.id, f"refused: {list(exc.recipients.values())}"))
            except smtplib.SMTPDataError as exc:
                failures.append((letter.member.id, f"refused: {exc.smtp_code}"))
            advance(1)
    return failures
