"""Spec §10 A write's body as the board reads it: its media type, its size within the ordinary
limit or, holding one of a few "large" slots, within the large one (a trustee's mix: tens of
MB), read as it streams in; refused early with 413, 415, 429 or 400 (bulletin_board/service.py
answers)."""

from __future__ import annotations

from typing import Final

from fastapi import Request

from bulletin_board.config import ServiceSettings
from bulletin_board.http_errors import ClientError
from bulletin_board.openapi import JSON

__all__ = ["CLOCK_BODY", "LargeBodies", "body_ceiling", "check_content_type", "read_body"]

_LARGE_RETRY_SECONDS: Final = 15


class LargeBodies:
    """The slots for bodies above the ordinary limit (at most ``count`` read and checked at a
    time); a request that needs one when none is free is refused for now (429)."""

    def __init__(self, count: int) -> None:
        self.free = count

    def take(self) -> None:
        if self.free <= 0:
            raise ClientError(
                429,
                "rate_limited",
                "the board is checking another large entry: retry shortly",
                headers={"Retry-After": str(_LARGE_RETRY_SECONDS)},
            )
        self.free -= 1

    def give_back(self) -> None:
        self.free += 1


CLOCK_BODY: Final = ServiceSettings(max_body_bytes=1024, max_large_body_bytes=1024)
"""Spec §10.2, §10.5 A clock request's or a cosignature's body: a few hundred bytes."""


def body_ceiling(settings: ServiceSettings) -> int:
    """The largest body the board reads: a large one."""
    return max(settings.max_body_bytes, settings.max_large_body_bytes)


async def read_body(request: Request, settings: ServiceSettings, large: LargeBodies) -> bytes:
    """The body, within ``max_body_bytes``, or within ``max_large_body_bytes`` holding one of
    the large slots (``request.state.large``; the caller gives it back when the request ends).

    Raises:
        ClientError: 413 too large, 429 no large slot free, 400 a bad Content-Length.
    """
    limit, ceiling = settings.max_body_bytes, body_ceiling(settings)

    def need(size: int) -> None:
        if size > ceiling:
            raise ClientError(413, "too_large", f"body larger than {ceiling} bytes")
        if size > limit and not request.state.large:
            large.take()
            request.state.large = True

    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):
            raise ClientError(400, "malformed", "invalid Content-Length")
        need(int(declared))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        need(size)
        chunks.append(chunk)
    return b"".join(chunks)


def check_content_type(request: Request) -> None:
    value = request.headers.get("content-type", "")
    media, _, params = value.partition(";")
    params = params.strip().lower().replace(" ", "")
    if media.strip().lower() != JSON or params not in ("", "charset=utf-8"):
        raise ClientError(415, "unsupported_media_type", "POST entries as application/json")
