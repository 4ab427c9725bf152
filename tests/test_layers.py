"""Imports run one way (DESIGN.md, "Layout"): entry points -> publish -> engines -> load ->
sources, normalize, policy, registers. The foundation never imports a higher room, and
the lowest modules (`_io`, `_retry`, `_cells`) import nothing of Sheet Clerk's at all.

Checked on the source with `ast`, so an import inside a function counts as much as one at
the top; one guarded by `if TYPE_CHECKING:` does not (it never runs).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "automation"

FOUNDATION = (
    "automation.registers",
    "automation.config",
    "automation.policy",
    "automation.sources",
    "automation.normalize",
    "automation.layout",
    "automation.load",
    "automation.checks",
    "automation.workdays",
    "automation._io",
    "automation._retry",
    "automation._cells",
)
"""Modules and packages (with everything inside them) that form the foundation."""

FORBIDDEN = (
    "automation.reports",
    "automation.publish",
    "automation.sinks",
    "automation.kpi",
    "automation.reminders",
    "automation.archive",
    "automation.cli",
    "automation.buttons",
    "automation.server",
    "automation.nightly",
)
"""What the foundation may not import: engines, publishing and entry points."""

ENGINES = (
    "automation.checks",
    "automation.validate",
    "automation.reminders",
    "automation.kpi",
    "automation.archive.handover",
)
"""Modules that return results and write nothing: `reminders.remind` sends (channels,
state records) but its log and tabs are published by `automation.publish`."""

WRITERS = ("automation.publish", "automation.sinks")
"""The publishing layer and the write-back under it: no engine imports them."""

RENDERERS = ("automation.reports",)
"""Results -> bytes (the report model, the xlsx, HTML and CSV renderers): no engine imports
them, and they import no publishing, write-back or entry point."""

ABOVE_RENDERERS = (*WRITERS, "automation.cli", "automation.buttons", "automation.server",
                   "automation.nightly", "automation.scheduler")

LOWEST = ("automation._io", "automation._retry", "automation._cells")
"""Imported by everyone, importing no module of Sheet Clerk's."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def within(name: str, roots: tuple[str, ...]) -> bool:
    return any(name == root or name.startswith(root + ".") for root in roots)


def _type_checking_only(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:` (its `else` still runs)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.If) and _type_checking_only(node):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def imported(source: str, module: str, *, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for each import in `source`, which is `module`."""
    package = module if is_package else module.rpartition(".")[0]
    for node in _runtime_nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from .. import reports` names a module too
                yield node.lineno, f"{target}.{alias.name}"


def sources() -> list[tuple[str, Path]]:
    found = [(module_name(p), p) for p in sorted(PACKAGE.rglob("*.py"))]
    return [(name, path) for name, path in found if "__pycache__" not in path.parts]


def violations(roots: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    for name, path in sources():
        if not within(name, roots):
            continue
        text = path.read_text(encoding="utf-8")
        for line, target in imported(text, name, is_package=path.name == "__init__.py"):
            if within(target, forbidden):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    return sorted(set(problems))


def test_the_foundation_modules_exist() -> None:
    names = {name for name, _ in sources()}
    for root in FOUNDATION + FORBIDDEN:
        assert root in names, f"{root} is gone: update the layer lists in this test"


def test_the_foundation_imports_nothing_above_it() -> None:
    assert violations(FOUNDATION, FORBIDDEN) == []


def test_the_engines_import_no_publishing() -> None:
    names = {name for name, _ in sources()}
    for root in ENGINES + WRITERS:
        assert root in names, f"{root} is gone: update the layer lists in this test"
    assert violations(ENGINES, WRITERS) == []


def test_the_engines_import_no_renderer() -> None:
    names = {name for name, _ in sources()}
    for root in RENDERERS:
        assert root in names, f"{root} is gone: update the layer lists in this test"
    assert violations(ENGINES, RENDERERS) == []


def test_the_renderers_import_no_publishing() -> None:
    assert violations(RENDERERS, ABOVE_RENDERERS) == []


def test_the_lowest_modules_import_nothing_of_sheet_clerk() -> None:
    assert violations(LOWEST, ("automation",)) == []


@pytest.mark.parametrize(("source", "module", "is_package", "expected"), [
    ("from ..reports.cells import plain_value", "automation.sources.google", False,
     "automation.reports.cells"),
    ("from .. import sinks", "automation.sources.files", False, "automation.sinks"),
    ("from ...kpi import x", "automation.policy.model.deep", False, "automation.kpi"),
    ("from ..archive import bag", "automation.sources", True, "automation.archive"),
    ("def f():\n    from ..nightly import run", "automation.load_x.y", False,
     "automation.nightly"),
    ("import automation.cli", "automation.config", False, "automation.cli"),
])
def test_the_walker_sees_every_form_of_import(source: str, module: str, is_package: bool,
                                              expected: str) -> None:
    targets = [target for _, target in imported(source, module, is_package=is_package)]
    assert any(within(target, (expected,)) for target in targets), targets


def test_type_checking_imports_are_allowed() -> None:
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from ..reports.cells import x\n"
              "else:\n    from ..sinks import y\n")
    targets = [t for _, t in imported(source, "automation.sources.google", is_package=False)]
    assert not any(within(t, ("automation.reports",)) for t in targets)
    assert any(within(t, ("automation.sinks",)) for t in targets)
