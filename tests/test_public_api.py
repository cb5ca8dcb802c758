"""Each module's ``__all__`` names exactly its public definitions (httpx's check)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

PACKAGES = ("crypto", "election", "bulletin_board", "verifier", "simulation")


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        for info in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}."):
            if not info.name.rsplit(".", 1)[1].startswith("_"):
                names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules())
def test_all_agrees_with_public_definitions(name: str) -> None:
    module = importlib.import_module(name)
    if not hasattr(module, "__all__"):
        assert not [n for n, v in vars(module).items() if _defined_here(module, n, v)]
        return
    exported = set(module.__all__)
    assert all(hasattr(module, n) for n in exported), f"{name}.__all__ names something absent"
    defined = {n for n, v in vars(module).items() if _defined_here(module, n, v)}
    assert defined <= exported, f"{name}: public but not in __all__: {defined - exported}"


def _defined_here(module: object, name: str, value: object) -> bool:
    if name.startswith("_"):
        return False
    if inspect.isfunction(value) or inspect.isclass(value):
        return bool(getattr(value, "__module__", None) == module.__name__)  # type: ignore[attr-defined]
    return False
