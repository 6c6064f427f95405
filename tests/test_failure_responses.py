"""A screen's ``failure_responses()`` names tasks that exist: a worker renamed in its
``@work(name=…)`` without its entry would silently lose what the screen undoes after a
failure (a login form left disabled, an export left chosen)."""

from __future__ import annotations

import ast
from pathlib import Path

import cyclades_tui.ui.screens as screens_package

SCREENS = sorted(Path(screens_package.__file__).parent.glob("*.py"))


def worker_names(tree: ast.AST) -> set[str]:
    """The ``name=`` of every ``@work(...)`` in a module."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "work":
            for keyword in node.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    names.add(str(keyword.value.value))
    return names


def declared_responses(tree: ast.AST) -> set[str]:
    """The string keys of the dicts ``failure_responses`` returns in a module."""
    keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "failure_responses":
            for inner in ast.walk(node):
                if isinstance(inner, ast.Dict):
                    keys |= {str(key.value) for key in inner.keys if isinstance(key, ast.Constant)}
    return keys


def test_every_declared_response_names_a_worker_of_its_screen() -> None:
    checked = 0
    for path in SCREENS:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declared = declared_responses(tree)
        assert declared <= worker_names(tree), (path.name, declared - worker_names(tree))
        checked += len(declared)
    assert checked >= 5  # login, password, regenerate, both imports declare theirs


def test_the_check_sees_a_renamed_worker() -> None:
    source = (
        "class S:\n"
        "    @work(thread=True, name='lookup')\n"
        "    def look(self): ...\n"
        "    def failure_responses(self):\n"
        "        return {'search': OnFailure()}\n"
    )
    tree = ast.parse(source)
    assert not declared_responses(tree) <= worker_names(tree)
