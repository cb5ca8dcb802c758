"""Refresh the booth's vendored libraries from the npm registry and prove them byte-identical.

Run by ``make booth-vendor``. Steps:

1. ``npm ci`` the exact versions pinned in booth/package.json and booth/package-lock.json into a
   temporary directory (npm checks each tarball against the lock's integrity hash);
2. find the files the booth needs: every ``@noble/...`` module that booth/js imports and,
   transitively, every module those import; and axe-core's ``axe.min.js`` for the browser tests;
3. download each package's tarball again with ``npm pack NAME@VERSION``, check its SHA-512
   against the lock's ``integrity``, and check every file to vendor against the tarball's copy;
4. replace booth/vendor/ and tests/browser/vendor/ with those files (and each package's LICENSE)
   and write a MANIFEST in each: the SHA-256 of every vendored file. tests/test_booth_files.py
   checks the files against it, so a hand edit is caught.

Any mismatch stops the refresh with one line saying which file; nothing is written then.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Final

BOOTH: Final = Path(__file__).resolve().parents[1]
ROOT: Final = BOOTH.parent
NOBLE_VENDOR: Final = BOOTH / "vendor"
TEST_VENDOR: Final = ROOT / "tests" / "browser" / "vendor"
# Entry points outside booth/js: axe-core is injected into pages by the browser tests only.
TEST_ENTRIES: Final = ("axe-core/axe.min.js",)
# import ... from "x"; export ... from "x"; import "x"  (multi-line import lists included)
# (statements start a line; the same words inside comments, "* import {...} from", do not count)
_IMPORT: Final = re.compile(
    r"""^[ \t]*(?:import|export)\s*(?:[\w*{}\s,$]*?\s*from\s*)?["']([^"']+)["']""",
    re.MULTILINE,
)


class VendorError(Exception):
    """A file or tarball that does not match the lock: the refresh stops."""


def _package_of(spec: str) -> tuple[str, str]:
    """'@noble/curves/abstract/x.js' -> ('@noble/curves', 'abstract/x.js')."""
    parts = spec.split("/")
    if spec.startswith("@"):
        return "/".join(parts[:2]), "/".join(parts[2:])
    return parts[0], "/".join(parts[1:])


def imports_of(source: str) -> list[str]:
    """The module specifiers a JavaScript module imports statically."""
    return _IMPORT.findall(source)


def closure(modules: Path, entries: list[str]) -> set[tuple[str, str]]:
    """Every (package, path) reachable from ``entries`` through static imports."""
    seen: set[tuple[str, str]] = set()
    todo = [_package_of(e) for e in entries]
    while todo:
        package, path = todo.pop()
        if (package, path) in seen:
            continue
        seen.add((package, path))
        file = modules / package / path
        if not file.is_file():
            raise VendorError(f"{package}/{path} is imported but not in the package")
        if not path.endswith(".js") or path.endswith(".min.js"):
            continue
        for spec in imports_of(file.read_text(encoding="utf-8")):
            if spec.startswith("."):
                resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), spec))
                todo.append((package, resolved))
            else:
                todo.append(_package_of(spec))
    return seen


def booth_entries() -> list[str]:
    """The ``@noble/...`` specifiers that booth/js imports."""
    specs: set[str] = set()
    for file in sorted((BOOTH / "js").rglob("*.js")):
        specs.update(s for s in imports_of(file.read_text(encoding="utf-8")) if s[0] == "@")
    return sorted(specs)


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise VendorError(f"{' '.join(args)} failed: {done.stderr.strip().splitlines()[-1:]}")
    return done.stdout


def _tarball_files(package: str, version: str, integrity: str, work: Path) -> dict[str, bytes]:
    """Download ``package@version`` again, check its integrity, return its files by path."""
    out = json.loads(_run(["npm", "pack", f"{package}@{version}", "--json", "--silent"], work))
    tarball = work / out[0]["filename"]
    algorithm, _, expected = integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
    if digest != expected:
        raise VendorError(f"{package}@{version}: tarball {algorithm} differs from the lock")
    files: dict[str, bytes] = {}
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            if member.isfile():
                handle = archive.extractfile(member)
                assert handle is not None
                files[member.name.split("/", 1)[1]] = handle.read()
    return files


def refresh() -> None:
    lock = json.loads((BOOTH / "package-lock.json").read_text())
    with tempfile.TemporaryDirectory(prefix="booth-vendor-") as tmp:
        work = Path(tmp)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(BOOTH / name, work / name)
        _run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent"], work)
        modules = work / "node_modules"
        wanted = {
            NOBLE_VENDOR: closure(modules, booth_entries()),
            TEST_VENDOR: closure(modules, list(TEST_ENTRIES)),
        }
        packs = work / "packs"
        packs.mkdir()
        staged: dict[Path, dict[str, bytes]] = {}
        for target, files in wanted.items():
            out: dict[str, bytes] = {}
            for package in sorted({p for p, _ in files}):
                entry = lock["packages"][f"node_modules/{package}"]
                tarball = _tarball_files(package, entry["version"], entry["integrity"], packs)
                paths = sorted({path for p, path in files if p == package} | {"LICENSE"})
                for path in paths:
                    data = (modules / package / path).read_bytes()
                    if tarball.get(path) != data:
                        raise VendorError(f"{package}/{path} differs from the registry's tarball")
                    out[f"{package}/{path}"] = data
                out[f"{package}/package.json#version"] = entry["version"].encode()
            staged[target] = out
        for target, out in staged.items():
            _write(target, out)


def _write(target: Path, files: dict[str, bytes]) -> None:
    if target.exists():
        shutil.rmtree(target)
    lines = ["# verivote vendored files: SHA-256, path (make booth-vendor writes this file)"]
    lines += [
        f"# {name.split('/package.json')[0]} {data.decode()}"
        for name, data in sorted(files.items())
        if name.endswith("#version")
    ]
    for name, data in sorted(files.items()):
        if name.endswith("#version"):
            continue
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {name}")
    (target / "MANIFEST").write_text("\n".join(lines) + "\n")
    print(f"vendored {sum(1 for n in files if '#' not in n)} files into {target}")


def main() -> int:
    try:
        refresh()
    except VendorError as exc:
        print(f"booth-vendor: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
