"""Delivering credential letters by SMTP (plain text), one connection for many letters."""

from __future__ import annotations

import os
import smtplib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import click

from crypto.errors import MalformedInput
from election.definition import ElectionDefinition
from election.issuer import Letter, letter_text


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
        if not sep or not host or not port.isdigit():
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
            click.option("--vote-url", default=None, help="the voting page named in the letters"),
        ]
    ):
        f = option(f)
    return f


def send_letters(
    smtp: Smtp,
    letters: Sequence[Letter],
    definition: ElectionDefinition,
    *,
    board_url: str,
    vote_url: str | None,
    advance: Callable[[int], None],
) -> list[tuple[str, str]]:
    """Send each letter; the (member id, reason) of those that could not be sent.

    Raises:
        OSError, smtplib.SMTPException: the server cannot be reached at all.
    """
    failures: list[tuple[str, str]] = []
    with smtplib.SMTP(smtp.host, smtp.port, timeout=60) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.user is not None and smtp.password is not None:
            server.login(smtp.user, smtp.password)
        for letter in letters:
            message = EmailMessage()
            message["From"] = smtp.sender
            message["To"] = f"{letter.member.name} <{letter.member.email}>"
            message["Subject"] = f"Your voting credential: {definition.title}"
            message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
            message.set_content(
                letter_text(letter, definition, board_url=board_url, vote_url=vote_url)
            )
            try:
                server.send_message(message)
            except smtplib.SMTPRecipientsRefused as exc:
                failures.append((letter.member.id, f"refused: {list(exc.recipients.values())}"))
            except smtplib.SMTPDataError as exc:
                failures.append((letter.member.id, f"refused: {exc.smtp_code}"))
            advance(1)
    return failures
