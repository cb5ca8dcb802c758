"""The booth's files: the vendored libraries are the registry's bytes (every file listed in its
MANIFEST has that SHA-256, nothing else is in the vendor directories, and the versions are the
ones booth/package.json pins; ``make booth-vendor`` refreshes them and checks the tarballs), the
booth's modules import nothing but each other and the vendored libraries, and every module
cites the spec sections it implements, each of which exists."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENDORS = [ROOT / "booth" / "vendor", ROOT / "tests" / "browser" / "vendor"]


def _manifest(vendor: Path) -> tuple[dict[str, str], dict[str, str]]:
    files: dict[str, str] = {}
    versions: dict[str, str] = {}
    for line in (vendor / "MANIFEST").read_text().splitlines():
        if line.startswith("# ") and line.count(" ") == 2:
            _, package, version = line.split(" ")
            versions[package] = version
        elif line and not line.startswith("#"):
            digest, path = line.split("  ", 1)
            files[path] = digest
    return files, versions


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda p: str(p.relative_to(ROOT)))
def test_vendored_files_match_the_manifest(vendor: Path) -> None:
    files, versions = _manifest(vendor)
    assert files, "empty MANIFEST"
    on_disk = {
        p.relative_to(vendor).as_posix()
        for p in vendor.rglob("*")
        if p.is_file() and p.name != "MANIFEST"
    }
    assert on_disk == set(files), f"files not in the MANIFEST: {sorted(on_disk ^ set(files))}"
    for path, digest in files.items():
        actual = hashlib.sha256((vendor / path).read_bytes()).hexdigest()
        assert actual == digest, f"{vendor.name}/{path} was edited: run make booth-vendor"
    package = json.loads((ROOT / "booth" / "package.json").read_text())
    pins = package["dependencies"] | package["devDependencies"]
    lock = json.loads((ROOT / "booth" / "package-lock.json").read_text())["packages"]
    for name, version in versions.items():
        assert pins[name] == version, f"{name}: vendored {version}, package.json pins {pins[name]}"
        assert lock[f"node_modules/{name}"]["version"] == version
        assert lock[f"node_modules/{name}"]["integrity"].startswith("sha512-")


def test_booth_imports_only_vendored_modules() -> None:
    """No module of booth/js loads anything from another origin or outside booth/."""
    modules = sorted((ROOT / "booth" / "js").glob("*.js"))
    assert len(modules) > 10
    for module in modules:
        text = module.read_text()
        assert not re.search(r"https?:", text), f"{module.name} names a URL"
        assert "import(" not in text, f"{module.name} imports dynamically"
        assert "eval(" not in text
        assert "new Function" not in text
        for spec in re.findall(r"^(?:import|export)[^;]*?from '([^']+)';", text, flags=re.M | re.S):
            assert spec.startswith(("./", "@noble/")), f"{module.name} imports {spec}"


def test_booth_modules_cite_the_spec() -> None:
    headings = set(
        re.findall(r"^#{2,4} (\d+(?:\.\d+)*) ", (ROOT / "docs" / "spec.md").read_text(), flags=re.M)
    )
    for module in (ROOT / "booth" / "js").glob("*.js"):
        text = module.read_text()
        cited = set(re.findall(r"§(\d+(?:\.\d+)*)", text))
        if module.name not in ("index.js", "errors.js", "wire.js", "bytes.js"):
            assert "Spec §" in text, f"{module.name} cites no spec section"
        assert cited <= headings, f"{module.name} cites absent sections {sorted(cited - headings)}"
    assert "999.9" not in headings
    assert "11.13" in headings


def test_the_vendored_modules_are_exactly_what_the_booth_imports() -> None:
    """booth/vendor holds the import closure of booth/js, no more and no less (offline: the
    closure is computed over the vendored files themselves, as make booth-vendor does over the
    installed packages)."""
    sys.path.insert(0, str(ROOT / "booth" / "tools"))
    try:
        import vendor  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    files, _ = _manifest(ROOT / "booth" / "vendor")
    closure = vendor.closure(ROOT / "booth" / "vendor", vendor.booth_entries())
    assert {f"{package}/{path}" for package, path in closure} == {
        f for f in files if not f.endswith("LICENSE")
    }
    assert vendor.imports_of(" * import { p256 } from '@noble/curves/nist.js';\n") == []
    assert vendor.imports_of(
        "import {\n  a,\n  b as c,\n} from './x.js';\nexport * from \"./y.js\";"
    ) == [
        "./x.js",
        "./y.js",
    ]
