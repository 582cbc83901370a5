"""The code as ``make lint`` checks it: ruff's rules and format, and the package's types by
mypy (strict). The settings are in pyproject.toml.

Here they are tests of ``make test`` (ruff's of ``make check`` too), run beside the others
rather than before them, so that CI sees what ``make lint`` would.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("check", [["check"], ["format", "--check"]], ids=["rules", "format"])
def test_ruff_finds_nothing_to_change(check: list[str]) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    result = subprocess.run(
        [str(ruff), *check, "."], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow  # a program in its own process, 20 s with no cache
def test_mypy_finds_no_type_error_in_the_package() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
