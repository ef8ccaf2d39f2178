"""The dependencies in pyproject.toml are exactly the ones the code imports.

A third-party import in src/ must be declared in `[project] dependencies` (or an optional
extra such as `semantic`), and one in tests/ in those or in the `test` extra. A declaration that
nothing imports must be on a short list below that says why it is needed anyway.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OURS = {"takethelead", "tests"}

# Declared for what they do at run time without our code importing them.
USED_WITHOUT_IMPORT = {
    "psycopg": "SQLAlchemy loads it for postgresql+psycopg:// database URLs",
    "jinja2": "FastAPI's Jinja2Templates renders the web pages with it",
    "python-multipart": "FastAPI parses posted forms with it",
    "redis": "huey's RedisHuey queues jobs in Redis with it",
}
# The test extra's tools: run as commands or loaded as plugins, not imported by the tests.
TOOLS = {
    "mypy": "the type check in .ci/run",
    "types-regex": "type stubs mypy reads",
    "ruff": "the lint and format check in .ci/run",
    "import-linter": "the import contracts in .ci/run",
    "pytest-timeout": "a pytest plugin",
    "vulture": "the dead-code check in .ci/run",
    "radon": "the complexity measure (radon cc)",
}


def _normal(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _names(requirements: list[str]) -> set[str]:
    """The distribution names in a list of requirement strings."""
    found = set()
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, f"pyproject.toml: cannot read requirement {requirement!r}"
        found.add(_normal(match.group()))
    return found


def _project() -> dict[str, Any]:
    project: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return project


def _imports(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """Top-level module names an AST imports (with importlib.import_module too), with lines."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0], node.lineno
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.args[0].value.split(".")[0], node.lineno


def _third_party(folder: str) -> dict[str, list[str]]:
    """Every third-party module imported under a folder, with where (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for module, line in _imports(tree):
            if module in sys.stdlib_module_names or module in OURS:
                continue
            found.setdefault(module, []).append(f"{path.relative_to(ROOT)}:{line}")
    return found


def _distributions(modules: dict[str, list[str]]) -> tuple[set[str], list[str]]:
    """The distributions that provide the modules, and the modules no distribution provides."""
    provided = packages_distributions()
    used: set[str] = set()
    unknown = []
    for module, where in sorted(modules.items()):
        if module not in provided:
            unknown.append(f"{module} (imported at {where[0]}) is provided by nothing installed")
        used.update(_normal(d) for d in provided.get(module, []))
    return used, unknown


def _undeclared(modules: dict[str, list[str]], declared: set[str]) -> list[str]:
    provided = packages_distributions()
    return [
        f"{module} (imported at {where[0]}) comes from {', '.join(provided[module])}, "
        "which pyproject.toml does not declare"
        for module, where in sorted(modules.items())
        if module in provided and not {_normal(d) for d in provided[module]} & declared
    ]


def test_every_library_src_imports_is_declared_and_every_declared_one_is_imported() -> None:
    project = _project()
    extras = project["optional-dependencies"]
    declared = _names(project["dependencies"])
    for extra, requirements in extras.items():
        if extra != "test":
            declared |= _names(requirements)
    modules = _third_party("src")
    used, unknown = _distributions(modules)
    assert not unknown, "\n".join(unknown)
    undeclared = _undeclared(modules, declared)
    assert not undeclared, "\n".join(undeclared)
    unused = sorted(declared - used - set(USED_WITHOUT_IMPORT))
    assert unused == [], f"declared in pyproject.toml but never imported by src/: {unused}"


def test_every_library_the_tests_import_is_declared_and_every_test_extra_is_used() -> None:
    project = _project()
    extras = project["optional-dependencies"]
    everything = _names(project["dependencies"])
    for requirements in extras.values():
        everything |= _names(requirements)
    modules = _third_party("tests")
    used, unknown = _distributions(modules)
    assert not unknown, "\n".join(unknown)
    undeclared = _undeclared(modules, everything)
    assert not undeclared, "\n".join(undeclared)
    unused = sorted(_names(extras["test"]) - used - set(TOOLS))
    assert unused == [], f"declared in the test extra but never imported by tests/: {unused}"


def test_the_reader_sees_plain_from_and_importlib_imports_and_skips_our_own() -> None:
    tree = ast.parse(
        "import numpy.linalg\n"
        "from sqlalchemy.orm import Session\n"
        "from . import sibling\n"
        "import takethelead.cli\n"
        "def load():\n"
        "    return importlib.import_module('onnxruntime')\n"
    )
    assert [module for module, _ in _imports(tree)] == [
        "numpy",
        "sqlalchemy",
        "takethelead",
        "onnxruntime",
    ]
    assert _names(["psycopg[binary]>=3.1", "Mastodon.py>=1.8", "time_machine"]) == {
        "psycopg",
        "mastodon-py",
        "time-machine",
    }
