"""Every negative test says which check failed (house rule; issue 10 item 8).

A ``pytest.raises`` passes for any refusal of the expected class, including one from a check
other than the one under test (a mutation caught by the wrong check passes silently). So each
``pytest.raises`` in tests/ either gives ``match=`` (the reason, as the error's message states
it) or binds the exception (``as info``) and reads it afterwards (its ``code``, its fields).
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _is_raises(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "raises"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "pytest"
    )


def unnamed_refusals(source: str) -> list[int]:
    """The lines of the ``pytest.raises`` calls in ``source`` that name no reason."""
    tree = ast.parse(source)
    bound: dict[int, str] = {}  # id of a raises call -> the name its exception is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                if _is_raises(item.context_expr) and isinstance(item.optional_vars, ast.Name):
                    bound[id(item.context_expr)] = item.optional_vars.id
    lines = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        read = {
            n.id
            for n in ast.walk(function)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        for call in ast.walk(function):
            if not isinstance(call, ast.Call) or not _is_raises(call):
                continue
            if any(k.arg == "match" for k in call.keywords) or bound.get(id(call)) in read:
                continue
            lines.append(call.lineno)
    return sorted(set(lines))


def test_the_checker_sees_a_bare_refusal_and_accepts_a_named_one() -> None:
    source = """
def test_bare():
    with pytest.raises(ValueError):
        f()

def test_named():
    with pytest.raises(ValueError, match="why"):
        f()

def test_code():
    with pytest.raises(Refusal) as info:
        f()
    assert info.value.code == "late"

def test_bound_but_unread():
    with pytest.raises(ValueError) as info:
        f()
"""
    assert unnamed_refusals(source) == [3, 16]


def test_every_refusal_in_the_suite_names_its_reason() -> None:
    unnamed = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in unnamed_refusals(path.read_text(encoding="utf-8"))
    ]
    assert not unnamed, (
        "pytest.raises without the reason (add match=..., or bind the error and assert its "
        "code): " + ", ".join(unnamed)
    )
