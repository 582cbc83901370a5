"""make test's narrowed run fails a doctest whose last digit depends on the CPU's vector width.

``make test-narrowed`` runs the fast tier with NumPy's dispatch held to its
baseline kernels (tools/narrow_dispatch.py). This plants a doctest that prints,
to all 17 digits, a value that this CPU's widest kernel and the baseline kernel
round differently, and shows that ``make check`` passes it and the narrowed run
fails it: such an example would pass on the machine that wrote it and fail on a
reader's.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Functions NumPy compiles for several vector widths, at points spread over their ranges.
_PROBE = """
import json, numpy as np
x = np.linspace(-20.0, 20.0, 4001)
p = np.linspace(1e-3, 50.0, 4001)
values = {
    "tanh": np.tanh(x), "exp": np.exp(x), "expm1": np.expm1(x / 10), "sin": np.sin(x),
    "log": np.log(p), "log1p": np.log1p(p), "cbrt": np.cbrt(p), "arctan": np.arctan(x),
}
print(json.dumps({name: [float(v).hex() for v in array] for name, array in values.items()}))
"""
_ARGUMENTS = {
    "tanh": "np.linspace(-20.0, 20.0, 4001)",
    "exp": "np.linspace(-20.0, 20.0, 4001)",
    "expm1": "np.linspace(-20.0, 20.0, 4001) / 10",
    "sin": "np.linspace(-20.0, 20.0, 4001)",
    "log": "np.linspace(1e-3, 50.0, 4001)",
    "log1p": "np.linspace(1e-3, 50.0, 4001)",
    "cbrt": "np.linspace(1e-3, 50.0, 4001)",
    "arctan": "np.linspace(-20.0, 20.0, 4001)",
}


def _narrowed_features() -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "narrow_dispatch.py")],
        capture_output=True,
        text=True,
        check=True,
        env=_environment(),
    )
    return result.stdout.strip()


def _environment(**extra: str) -> dict[str, str]:
    # The default dispatch, even when this test itself runs in the narrowed tier.
    env = {k: v for k, v in os.environ.items() if k != "NPY_DISABLE_CPU_FEATURES"}
    return {**env, **extra}


def _probe(env: dict[str, str]) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, env=env
    )
    return json.loads(result.stdout)


def _make(target: str, doctest_file: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT),
            target,
            # Only the planted file: it lies outside the repository, where the conftest.py
            # that registers the Hypothesis profile named in FAST is not loaded.
            "FAST=",
            f"PYTESTOPTS=--doctest-modules {doctest_file}",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=_environment(),
    )


@pytest.mark.slow  # runs pytest twice in processes of their own
def test_the_narrowed_run_fails_a_doctest_that_depends_on_the_vector_width(tmp_path: Path) -> None:
    features = _narrowed_features()
    if not features:
        pytest.skip("this CPU has no NumPy kernel above the baseline: there is nothing to narrow")
    wide = _probe(_environment())
    narrow = _probe(_environment(NPY_DISABLE_CPU_FEATURES=features))
    differing = [
        (name, index)
        for name in wide
        for index, (a, b) in enumerate(zip(wide[name], narrow[name], strict=True))
        if a != b
    ]
    if not differing:
        pytest.skip(f"no probed function differs in the last bit with {features} disabled")
    name, index = differing[0]
    value = float.fromhex(wide[name][index])
    assert abs(value - float.fromhex(narrow[name][index])) <= 4 * abs(value) * 2.0**-52 + 1e-300
    planted = tmp_path / "planted_ulp.py"
    planted.write_text(
        textwrap.dedent(
            f'''
            """A value printed to its last bit.

            >>> import numpy as np
            >>> float(np.{name}({_ARGUMENTS[name]})[{index}])
            {value!r}
            """
            '''
        )
    )

    assert _make("check", planted).returncode == 0, "the value was computed with this dispatch"
    narrowed = _make("test-narrowed", planted)
    assert narrowed.returncode != 0, narrowed.stdout[-2000:]
    assert "did not evaluate as expected" in narrowed.stdout or "Expected:" in narrowed.stdout
    assert repr(value) in narrowed.stdout


def _sympy_side() -> list[Path]:
    """The Python files of the Makefile's SYMPY_SIDE: what the narrowed run leaves out."""
    make = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), "-pn", "check"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    line = next(x for x in make.splitlines() if x.startswith("SYMPY_SIDE :="))
    paths = [ROOT / p for p in line.removeprefix("SYMPY_SIDE :=").split()]
    assert paths
    assert all(p.exists() for p in paths), paths
    return sorted(f for p in paths for f in ([p] if p.is_file() else p.rglob("*.py")))


# The package's modules of its SymPy side, which that side's tests may import.
SYMPY_MODULES = {"notation", "expressions", "latex", "derivation", "registry", "cli"}


def _numeric_imports(file: Path) -> list[str]:
    """What ``file`` imports of NumPy or of the package's numeric side."""
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
            if node.module == "xentropy":
                names = [f"xentropy.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            top, _, rest = name.partition(".")
            if top == "numpy" or (
                top == "xentropy"
                and rest
                and rest.split(".")[0] not in SYMPY_MODULES | {"symbolic", "check"}
            ):
                found.append(name)
    return found


def test_what_the_narrowed_run_leaves_out_imports_no_numpy() -> None:
    files = _sympy_side()
    assert any(f.parts[-3:-1] == ("tests", "check") for f in files)
    numeric = {str(f.relative_to(ROOT)): _numeric_imports(f) for f in files}
    assert {f: names for f, names in numeric.items() if names} == {}


def test_the_import_check_sees_numpy(tmp_path: Path) -> None:
    planted = tmp_path / "test_planted.py"
    planted.write_text("import numpy as np\nfrom xentropy import cost, notation\n")
    assert _numeric_imports(planted) == ["numpy", "xentropy.cost"]
