"""The board's Ed25519 key file (Spec §10.2): generated on first start with mode 0600, or loaded.

Format: two lines, ``verivote-board-key 1`` then the 32-byte seed as 64 lower-case hex digits.
The file is created atomically (written to a temporary file, then hard-linked into place), so
two processes starting together end up with the same key. A file readable by group or others
is refused. The seed is never logged or printed.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Final

from crypto.errors import MalformedInput
from crypto.signing import SigningKey
from crypto.wire import parse_hex

__all__ = ["load_board_key", "load_or_create_board_key"]

_HEADER: Final = "verivote-board-key 1"


def load_board_key(path: Path) -> SigningKey:
    """Load the board key.

    Raises:
        MalformedInput: the file is readable by group or others, or is not a board key file.
        OSError: it cannot be read.
    """
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise MalformedInput(
            f"board key file {path} is accessible by group or others (mode {mode & 0o777:o}): "
            "chmod 600 it"
        )
    lines = path.read_text(encoding="ascii", errors="replace").split("\n")
    if len(lines) != 3 or lines[0] != _HEADER or lines[2] != "":
        raise MalformedInput(f"{path} is not a verivote board key file")
    return SigningKey(parse_hex(lines[1], 32, "board key seed"))


def load_or_create_board_key(path: Path) -> tuple[SigningKey, bool]:
    """Load the board key, or generate it (mode 0600) if the file does not exist.

    Returns the key and whether it was created now.

    Raises:
        MalformedInput, OSError: as ``load_board_key``.
    """
    if path.exists():
        return load_board_key(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"{_HEADER}\n{secrets.token_bytes(32).hex()}\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
            created = True
        except FileExistsError:
            created = False
    finally:
        temporary.unlink(missing_ok=True)
    return load_board_key(path), created
