"""The package's types, checked by mypy (strict; its settings are in pyproject.toml).

``make lint`` runs mypy too; here it is one test of ``make test``, run beside the others rather
than before them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # a program in its own process, 20 s with no cache
def test_mypy_finds_no_type_error_in_the_package() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout
