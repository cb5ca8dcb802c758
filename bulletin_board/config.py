"""The board service's configuration: its limits (``ServiceSettings``) and how ``verivote board
serve`` hands the whole configuration to each uvicorn worker process (``ServeConfig``, through
environment variables, since uvicorn starts workers with ``--factory`` and no arguments).

Pure Python: the CLI imports it without the server's dependencies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from bulletin_board.wire import PAGE_BYTES
from crypto.envelope import MAX_ENTRY_BYTES

__all__ = [
    "DEFAULT_RULES",
    "ENV_CORS",
    "ENV_DB",
    "ENV_KEY",
    "ENV_LARGE_BODIES",
    "ENV_MAX_BODY",
    "ENV_MAX_LARGE_BODY",
    "ENV_RATE_FILE",
    "ENV_REHEARSAL",
    "ENV_RULES",
    "ENV_WRITE_BURST",
    "ENV_WRITE_RATE",
    "MAX_PAGE_BYTES",
    "ServeConfig",
    "ServiceSettings",
]

ENV_DB: Final = "VERIVOTE_BOARD_DB"
ENV_KEY: Final = "VERIVOTE_BOARD_KEY"
ENV_RULES: Final = "VERIVOTE_BOARD_RULES"
ENV_MAX_BODY: Final = "VERIVOTE_BOARD_MAX_BODY"
ENV_MAX_LARGE_BODY: Final = "VERIVOTE_BOARD_MAX_LARGE_BODY"
ENV_LARGE_BODIES: Final = "VERIVOTE_BOARD_LARGE_BODIES"
ENV_WRITE_RATE: Final = "VERIVOTE_BOARD_WRITE_RATE"
ENV_WRITE_BURST: Final = "VERIVOTE_BOARD_WRITE_BURST"
ENV_CORS: Final = "VERIVOTE_BOARD_CORS_ORIGINS"
ENV_RATE_FILE: Final = "VERIVOTE_BOARD_RATE_FILE"
ENV_REHEARSAL: Final = "VERIVOTE_BOARD_REHEARSAL"
ENV_WRITER: Final = "VERIVOTE_BOARD_WRITER"
DEFAULT_RULES: Final = "election"
#: Spec §10.3 A page's byte budget: its leaves' bytes, unless it holds a single larger leaf.
MAX_PAGE_BYTES: Final = 4 * 2**20


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """Limits of the HTTP service. ``write_rate`` is per client address, per second (0: off).

    A page of leaves (``GET /entries``, spec §10.3) holds at most ``max_page`` leaves and
    ``max_page_bytes`` of leaf bytes, or one larger leaf alone.

    An entry body may take ``max_body_bytes``; a larger one, up to ``max_large_body_bytes`` (a
    trustee's mix, some 500 bytes per ballot, and the result with its papers: spec §11.11), is
    read and checked only while fewer than ``large_bodies`` others are, else refused for now
    (429, retry later), so that a few of them bound the board's memory.
    """

    max_body_bytes: int = 1 * 2**20
    max_large_body_bytes: int = MAX_ENTRY_BYTES
    large_bodies: int = 1
    write_rate: float = 50.0
    write_burst: int = 100
    max_page: int = 10_000
    max_page_bytes: int = MAX_PAGE_BYTES
    cors_origins: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not 0 < self.max_page_bytes <= PAGE_BYTES:
            raise ValueError(f"a page's byte budget is 1 to {PAGE_BYTES} bytes (Spec §10.3)")


@dataclass(frozen=True, slots=True)
class ServeConfig:
    """What a worker of ``verivote board serve`` needs: the database URL, the board key file
    (which must exist), the rule set's name, the service's limits, the write-rate table all
    workers share (``bulletin_board.ratelimit``; None: each worker its own), whether the
    board runs rehearsals (Spec §10.2), and the socket of the writer process that appends for
    the workers (``bulletin_board.writer``; None: each worker appends itself).

    ``clock``: in-process only, never from the environment or the command line: the board's
    clock (integer ms since the epoch; None: the system's) for a simulation that moves it
    (``simulation.served``); the writer and workers are spawned, so it must be picklable."""

    db: str
    key_path: Path
    rules: str = DEFAULT_RULES
    settings: ServiceSettings = field(default_factory=ServiceSettings)
    rate_file: Path | None = None
    rehearsal: bool = False
    writer: Path | None = None
    clock: Callable[[], int] | None = field(default=None, compare=False)

    def to_env(self) -> dict[str, str]:
        """The environment variables that ``from_env`` reads back."""
        return {
            ENV_DB: self.db,
            ENV_KEY: str(self.key_path),
            ENV_RULES: self.rules,
            ENV_MAX_BODY: str(self.settings.max_body_bytes),
            ENV_MAX_LARGE_BODY: str(self.settings.max_large_body_bytes),
            ENV_LARGE_BODIES: str(self.settings.large_bodies),
            ENV_WRITE_RATE: str(self.settings.write_rate),
            ENV_WRITE_BURST: str(self.settings.write_burst),
            ENV_CORS: ",".join(self.settings.cors_origins),
            ENV_RATE_FILE: "" if self.rate_file is None else str(self.rate_file),
            ENV_REHEARSAL: "1" if self.rehearsal else "0",
            ENV_WRITER: "" if self.writer is None else str(self.writer),
        }

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> ServeConfig:
        """Read VERIVOTE_BOARD_DB, VERIVOTE_BOARD_KEY (both required), VERIVOTE_BOARD_RULES,
        VERIVOTE_BOARD_MAX_BODY, VERIVOTE_BOARD_MAX_LARGE_BODY, VERIVOTE_BOARD_LARGE_BODIES,
        VERIVOTE_BOARD_WRITE_RATE, VERIVOTE_BOARD_WRITE_BURST,
        VERIVOTE_BOARD_CORS_ORIGINS (comma-separated), VERIVOTE_BOARD_RATE_FILE (unset or
        empty: none), VERIVOTE_BOARD_REHEARSAL ("1": a rehearsal board) and
        VERIVOTE_BOARD_WRITER (the writer's socket; unset or empty: none); the others default
        as in ``ServiceSettings``.

        Raises:
            KeyError: VERIVOTE_BOARD_DB or VERIVOTE_BOARD_KEY is unset.
            ValueError: a limit is not a number.
        """
        defaults = ServiceSettings()
        cors = environ.get(ENV_CORS, "")
        settings = ServiceSettings(
            max_body_bytes=int(environ.get(ENV_MAX_BODY, defaults.max_body_bytes)),
            max_large_body_bytes=int(
                environ.get(ENV_MAX_LARGE_BODY, defaults.max_large_body_bytes)
            ),
            large_bodies=int(environ.get(ENV_LARGE_BODIES, defaults.large_bodies)),
            write_rate=float(environ.get(ENV_WRITE_RATE, defaults.write_rate)),
            write_burst=int(environ.get(ENV_WRITE_BURST, defaults.write_burst)),
            cors_origins=tuple(o for o in cors.split(",") if o),
        )
        rate_file = environ.get(ENV_RATE_FILE, "")
        return cls(
            environ[ENV_DB],
            Path(environ[ENV_KEY]),
            environ.get(ENV_RULES, DEFAULT_RULES),
            settings,
            Path(rate_file) if rate_file else None,
            environ.get(ENV_REHEARSAL, "0") == "1",
            Path(writer) if (writer := environ.get(ENV_WRITER, "")) else None,
        )
