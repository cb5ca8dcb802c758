"""Spec §11.8 A member's device in the simulation: the member (``Member``: their code, key and
style), what it needs to build a ballot (``BallotContext``, picklable) and the worker-process
functions the election builder (simulation/builder.py) runs its members' devices with, each
building ballots and, given the board's URL, posting them itself."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

from bulletin_board.client import BoardClient
from crypto.credentials import CredentialCode, CredentialKey, derive_credential_key
from crypto.elgamal import PublicKey
from election.voter import encrypt_ballot, sign_voter_entry
from election.wire import BALLOT, BallotLayout
from simulation.choices import Choices

__all__ = ["SENDERS", "BallotContext", "Member", "device_cast", "start_device"]

#: Requests in flight per member-device process, by default.
SENDERS: Final = 4


class Member:
    """A member holding a credential: the code of their letter, the key it gives in this
    election, their ballot style and member id. ``Member.deriving`` makes one whose key is
    derived from the code when first used: an election of 400,000 members signs with about a
    third of their keys, and each derivation is an exponentiation."""

    __slots__ = ("_fingerprint", "_key", "code", "id", "style")
    code: CredentialCode
    style: str
    id: str
    _key: CredentialKey | None
    _fingerprint: bytes

    def __init__(self, code: CredentialCode, key: CredentialKey, style: str, id: str = "") -> None:
        self.code, self._key, self.style, self.id = code, key, style, id
        self._fingerprint = key.fingerprint

    @classmethod
    def deriving(cls, code: CredentialCode, fingerprint: bytes, style: str, id: str) -> Member:
        """The member of ``code`` in the election of ``fingerprint``, its key not derived yet."""
        member = cls.__new__(cls)
        member.code, member._key, member.style, member.id = code, None, style, id
        member._fingerprint = fingerprint
        return member

    @property
    def key(self) -> CredentialKey:
        if self._key is None:
            self._key = derive_credential_key(self.code, fingerprint=self._fingerprint)
        return self._key

    def __repr__(self) -> str:
        return f"Member({self.id!r}, style={self.style!r})"


@dataclass(frozen=True, slots=True)
class BallotContext:
    """What a member's device needs to build a ballot (picklable, for worker processes)."""

    election: str
    layout: BallotLayout
    public_key: PublicKey  # with its table (rebuilt when unpickled in a worker)

    def ballot(
        self, credential: CredentialKey, style: str, choices: Mapping[str, Sequence[int]]
    ) -> bytes:
        """Spec §11.8 Encrypt, prove and sign a ballot."""
        encrypted = encrypt_ballot(
            self.layout, style, choices, public_key=self.public_key, credential=credential
        )
        return sign_voter_entry(
            election=self.election,
            type=BALLOT,
            payload=encrypted.ballot.to_json(),
            credential=credential,
        )


_DEVICE: dict[str, Any] = {}
_SENDER = threading.local()


def start_device(
    context: BallotContext, fingerprint: bytes, url: str | None, senders: int = SENDERS
) -> None:
    """A member-device worker process: the ballot context, and a client of the board if it
    posts its ballots itself, ``senders`` at a time, each sender with its own connection (as
    each member's device has): threads sharing one pool of connections contend for its lock
    and, under load, saw a connection closed under them (EBADF)."""
    _DEVICE.update(context=context, fingerprint=fingerprint)
    if url is not None:
        client = BoardClient(url, context.election)
        client.key()  # leaf 0 and the definition, read once for every sender's fork
        client.schemes()
        _DEVICE.update(client=client, senders=ThreadPoolExecutor(senders))


def _post(raw: bytes) -> None:
    """Post a ballot on this sender thread's own client of the board."""
    client = getattr(_SENDER, "client", None)
    if client is None:
        client = _SENDER.client = _DEVICE["client"].fork()
    client.post(raw, what="ballot")


def device_cast(tasks: list[tuple[str, str, Choices]]) -> tuple[int, list[bytes]]:
    """Build each member's ballot and post it (a few in flight, each receipt checked) when the
    worker has a client of the board, else return it: (ballots, those returned)."""
    context: BallotContext = _DEVICE["context"]
    built = []
    posted = []
    for code, style, choices in tasks:
        credential = derive_credential_key(
            CredentialCode.parse(code), fingerprint=_DEVICE["fingerprint"]
        )
        raw = context.ballot(credential, style, choices)
        if "client" in _DEVICE:
            posted.append(_DEVICE["senders"].submit(_post, raw))
        else:
            built.append(raw)
    for future in posted:
        future.result()
    return len(tasks), built
