"""The web booth's files, served by the board at ``/booth/{election}/`` (issue 12).

The booth is the static folder ``booth/`` shipped beside the Python packages. Its served files
are every file under it except ``README.md``, ``package.json``, ``package-lock.json``, hidden
files and the folders ``tests/``, ``tools/`` and ``node_modules/`` (``served_paths``). The board
reads them once, when it starts, and answers from memory: a request names a file of that list
or gets a 404, so no path reaches the file system. ``/booth/{election}/`` itself is
``index.html``. The board serves them for an election only while a booth release is in force
for it (spec §11.14), and only if they are exactly the release's (``differences``). Every answer
carries a strict Content-Security-Policy: scripts only from the board's origin and the inline
import maps of the served pages, allowed by their SHA-256; no eval, no other origin, no framing.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Final

__all__ = [
    "BOOTH_DIR",
    "INDEX",
    "BoothFiles",
    "content_security_policy",
    "content_type",
    "import_map_hashes",
    "served_paths",
]

BOOTH_DIR: Final = Path(__file__).resolve().parents[1] / "booth"
INDEX: Final = "index.html"
_NOT_SERVED_FILES: Final = frozenset({"README.md", "package.json", "package-lock.json"})
_NOT_SERVED_DIRS: Final = frozenset({"tests", "tools", "node_modules", "__pycache__"})
_IMPORT_MAP: Final = re.compile(rb'<script type="importmap">(.*?)</script>', re.S)
_TYPES: Final = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/plain; charset=utf-8",
    "": "text/plain; charset=utf-8",  # LICENSE, MANIFEST
}


def served_paths(root: Path = BOOTH_DIR) -> list[str]:
    """The booth's served files: their paths relative to ``root`` ('/'-separated), sorted."""
    paths = []
    for path in root.rglob("*"):
        relative = PurePosixPath(path.relative_to(root).as_posix())
        parts = relative.parts
        if not path.is_file() or any(part.startswith(".") for part in parts):
            continue
        if parts[0] in _NOT_SERVED_DIRS or "__pycache__" in parts:
            continue
        if len(parts) == 1 and parts[0] in _NOT_SERVED_FILES:
            continue
        paths.append(str(relative))
    return sorted(paths)


def content_type(path: str) -> str:
    """The Content-Type a served file is sent with (unknown kinds: application/octet-stream)."""
    return _TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")


def import_map_hashes(files: Mapping[str, bytes]) -> list[str]:
    """CSP sources for the inline import maps of the HTML among ``files`` (path -> bytes): the
    one inline script a page may have (an import map cannot be loaded from a file)."""
    hashes = {
        base64.b64encode(hashlib.sha256(body).digest()).decode()
        for path, data in files.items()
        if path.endswith(".html")
        for body in _IMPORT_MAP.findall(data)
    }
    return [f"'sha256-{h}'" for h in sorted(hashes)]


def content_security_policy(files: Mapping[str, bytes]) -> str:
    """The booth's policy: everything from the board's origin, no inline script but the import
    maps (by hash), no eval, connections only to the board, no framing."""
    scripts = " ".join(["'self'", *import_map_hashes(files)])
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@dataclass(frozen=True, slots=True)
class BoothFiles:
    """The booth's served files, read once: path -> bytes, and the policy they are sent with."""

    files: Mapping[str, bytes]
    policy: str

    @classmethod
    def read(cls, root: Path = BOOTH_DIR) -> BoothFiles:
        files = {path: (root / path).read_bytes() for path in served_paths(root)}
        return cls(files=files, policy=content_security_policy(files))

    def headers(self, path: str) -> dict[str, str]:
        """The response headers of served file ``path``."""
        return {
            "Content-Type": content_type(path),
            "Content-Security-Policy": self.policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        }

    def hashes(self) -> dict[str, bytes]:
        """Path -> SHA-256 of each served file (what a booth release lists, spec §11.14)."""
        return {path: hashlib.sha256(data).digest() for path, data in self.files.items()}

    def differences(self, published: Mapping[str, bytes]) -> list[str]:
        """Spec §11.14 How these files differ from a release's ``published`` path -> SHA-256,
        one line per file (none: they are exactly the release)."""
        served = self.hashes()
        lines = [f"{p}: published, not in this booth" for p in sorted(published.keys() - served)]
        lines += [f"{p}: in this booth, not published" for p in sorted(served.keys() - published)]
        lines += [
            f"{p}: differs from the published SHA-256"
            for p in sorted(served.keys() & published.keys())
            if served[p] != published[p]
        ]
        return lines

    def lookup(self, path: str) -> bytes | None:
        """The bytes served at relative ``path`` ('' is the index), or None: not a served file."""
        return self.files.get(path or INDEX)
