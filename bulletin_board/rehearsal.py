"""Spec §10.2 (rehearsals) What a rehearsal board checks beyond an ordinary one.

A board runs in rehearsal mode or not, for every log in its database: ``check_modes`` refuses a
log of the other kind (leaf 0's ``rehearsal`` flag, §10.1), on start and before a log is created.
On a rehearsal log the administrator named by the definition (leaf 1) may advance the log's
clock: ``check_clock_request`` authenticates the request (§8.1, purpose ``board/clock``) and
refuses a clock that would not move forward. The board (``bulletin_board.log.Board``) then
stores the new offset from its real clock beside the log, never in it.
"""

from __future__ import annotations

from collections.abc import Iterable

from bulletin_board.errors import EntryRefused, WrongElection
from bulletin_board.integrity import log_origin
from bulletin_board.storage import Storage
from bulletin_board.wire import ED25519_SCHEMES, ClockRequest, Leaf
from crypto.errors import MalformedInput
from election.definition import ElectionDefinition
from election.wire import ELECTION_DEFINITION, DefinitionPayload

__all__ = ["check_clock_request", "check_modes", "mode_name", "stored_definition"]

DEFINITION_LEAF = 1


def mode_name(rehearsal: bool) -> str:
    """What a log or a board is, in words."""
    return "a rehearsal" if rehearsal else "a real election"


def check_modes(storage: Storage, elections: Iterable[str], *, rehearsal: bool) -> None:
    """Spec §10.2 Every log of ``elections`` that has a leaf 0 is a rehearsal's iff
    ``rehearsal``.

    Raises:
        MalformedInput: one line naming the first log of the other kind and what to do.
        LogCorrupted: a leaf 0 that is not a board-key entry.
    """
    for election in elections:
        if storage.size(election) == 0 or log_origin(storage, election).rehearsal == rehearsal:
            continue
        if rehearsal:
            raise MalformedInput(
                f"the database holds the log of a real election, {election!r}: a rehearsal "
                "board serves rehearsals only (use another --db for the rehearsal)"
            )
        raise MalformedInput(
            f"the database holds a rehearsal's log, {election!r}: serve it with --rehearsal "
            "(a real election's board serves no rehearsal)"
        )


def stored_definition(storage: Storage, election: str) -> ElectionDefinition | None:
    """Spec §11.1 The definition in leaf 1 of ``election``'s log (None: not published yet).
    The board accepted the leaf under its rules; its signature is not checked again."""
    row = storage.leaf(election, DEFINITION_LEAF)
    if row is None:
        return None
    entry = Leaf.from_bytes(row.raw, ED25519_SCHEMES, verify=False).entry
    if entry.type != ELECTION_DEFINITION:
        return None
    return DefinitionPayload.from_json(dict(entry.payload)).definition


def check_clock_request(raw: bytes, *, election: str, storage: Storage, now: int) -> ClockRequest:
    """Spec §10.2 A clock request for ``election``'s rehearsal log, signed by the administrator
    its definition names, to a time after the log's clock ``now``.

    Raises:
        MalformedInput, InvalidSignature, WrongElection: the request itself.
        EntryRefused: ``no_definition``, ``wrong_author`` or ``clock_not_later``.
    """
    request = ClockRequest.from_bytes(raw)
    if request.election != election:
        raise WrongElection(f"the clock request is for election {request.election!r}")
    definition = stored_definition(storage, election)
    if definition is None:
        raise EntryRefused("no_definition", "publish the election definition first")
    if request.key != definition.administrator.key.raw:
        raise EntryRefused(
            "wrong_author", "the clock request is not signed by the election's administrator"
        )
    if request.to <= now:
        raise EntryRefused(
            "clock_not_later", f"the log's clock already reads {now} ms, not before {request.to}"
        )
    return request
