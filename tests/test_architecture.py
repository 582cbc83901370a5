"""The package's layout holds: imports point one way, no module reaches into another's privates,
and the numeric half never imports SymPy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "xentropy"

# What each part may import from the package; pages and tests stand above all of them.
ENGINE = {"expressions", "notation", "latex", "derivation", "registry"}
NUMERIC_CORE = {"numeric.validation", "numeric.binary", "gradcheck"}
ALLOWED = {
    "engine": ENGINE,
    "symbolic": ENGINE | {"symbolic"},
    "numeric": NUMERIC_CORE | {"numeric"},
    "gradcheck": set(),
    "figures": set(),
    "timing": {"figures"},
    "check": ENGINE | {"check", "symbolic"},
    "cli": {"cli", "symbolic", "registry", "derivation", "latex", "__init__", "check"},
    "sphinxext": {"sphinxext", "derivation"},
    "__init__": {"numeric", "check"},
    "__main__": {"cli"},
}


def module_name(path: Path) -> str:
    """``xentropy/numeric/neuron.py`` -> ``numeric.neuron``; ``__init__.py`` names its folder."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def part_of(module: str) -> str:
    head = module.split(".")[0]
    return "engine" if module in ENGINE else head


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """Every import of the package in a file: (imported module, names taken from it, line)."""
    found = []
    here = module_name(path).split(".")
    package_parts = here if path.name == "__init__.py" else here[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            elif node.module and node.module.split(".")[0] == "xentropy":
                target = node.module.removeprefix("xentropy").lstrip(".") or "__init__"
            else:
                continue
            found.append((target, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "xentropy":
                    found.append((alias.name.removeprefix("xentropy").lstrip("."), [], node.lineno))
    return found


FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: module_name(p) or "__init__")
def test_no_module_imports_a_private_name_of_another(path: Path) -> None:
    private = [
        f"{path.name}:{line} takes {name} from {target}"
        for target, names, line in imports(path)
        for name in names
        if name.startswith("_") and not name.startswith("__")
    ]
    assert private == []


@pytest.mark.parametrize("path", FILES, ids=lambda p: module_name(p) or "__init__")
def test_imports_point_one_way(path: Path) -> None:
    module = module_name(path) or "__init__"
    allowed = ALLOWED[part_of(module)]
    wrong = []
    for target, names, line in imports(path):
        targets = (
            [target]
            if names == [] or target not in {"", "numeric", "symbolic"}
            else [f"{target}.{name}".lstrip(".") for name in names]
        )
        for t in targets:
            t = t or "__init__"
            if t == module or t in allowed or t.split(".")[0] in allowed:
                continue
            wrong.append(f"{module}:{line} imports {t}")
    assert wrong == []


def test_the_checker_sees_a_private_import_and_a_reversed_arrow(tmp_path: Path) -> None:
    # The two tests above can fail: a module written the wrong way round is caught.
    bad = PACKAGE / "numeric" / "_planted_for_test.py"
    # ruff and mypy are tests too (test_types), perhaps running meanwhile on another worker:
    # the planted file is not theirs to judge
    planted = "from xentropy.symbolic.neuron import DEFINITIONS\nfrom .binary import _x\n"
    bad.write_text(planted + "# ruff: noqa\n# mypy: ignore-errors\n")
    try:
        found = imports(bad)
        assert ("symbolic.neuron", ["DEFINITIONS"], 1) in found
        assert ("numeric.binary", ["_x"], 2) in found
        with pytest.raises(AssertionError):
            test_imports_point_one_way(bad)
        with pytest.raises(AssertionError):
            test_no_module_imports_a_private_name_of_another(bad)
    finally:
        bad.unlink()


def imported_after(code: str, packages: tuple[str, ...]) -> list[str]:
    """The modules of ``packages`` that a fresh interpreter has imported after running ``code``."""
    listing = (
        f"import sys\nprint(sorted(m for m in sys.modules if m.split('.')[0] in {packages!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\n{listing}"],
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[str] = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    return found


LIGHT_IMPORTS = {
    # The numeric half and the package's own modules run without SymPy.
    "sympy": (
        "import xentropy, xentropy.gradcheck, xentropy.timing, xentropy.registry\n"
        "import xentropy.numeric.neuron, xentropy.numeric.softmax, xentropy.numeric.network\n"
        "import xentropy.symbolic",
        ("sympy", "mpmath"),
    ),
    # The book's build reads what the pages import without importing it: no SymPy in its
    # process for a page that imports from the symbolic side.
    "build": (
        "import xentropy.sphinxext\n"
        "from xentropy.sphinxext.cache import imported_modules, module_files\n"
        "code = 'from xentropy.latex import printer\\nfrom xentropy.symbolic import neuron'\n"
        "assert module_files(imported_modules(code, 'xentropy'), 'xentropy')",
        ("sympy", "mpmath"),
    ),
    # Numba is loaded by the first cost or gradient of a large X, not by a small one.
    "numba": (
        "import xentropy\n"
        "xentropy.gradient([1.0, 2.0], 0.0, [[1.0, 2.0]], [1.0])\n"
        "xentropy.cost([1.0, 2.0], 0.0, [[1.0, 2.0]], [1.0])",
        ("numba", "llvmlite"),
    ),
}


@pytest.mark.parametrize(("code", "packages"), LIGHT_IMPORTS.values(), ids=list(LIGHT_IMPORTS))
def test_what_is_not_imported_until_needed(code: str, packages: tuple[str, ...]) -> None:
    assert imported_after(code, packages) == []


def test_the_import_check_sees_an_import() -> None:
    assert imported_after("import numpy", ("numpy",)) != []
