"""Where a build comes from: its commit, its date and the versions that verified it.

Read from git in one place, for ``conf.py`` (which dates a build by its commit, so that two
builds of one commit are byte-identical) and for the "Cite this" box and the provenance line
(which name the commit, the date and the SymPy and NumPy that checked the book).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.metadata
import os
import subprocess
from pathlib import Path

__all__ = ["build_facts", "commit_epoch", "git"]


def git(root: str | Path, *args: str) -> str:
    """The output of ``git -C root args``, stripped; "" outside a checkout or without git."""
    try:
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def commit_epoch(root: str | Path) -> str:
    """The time of the last commit, in seconds since 1970 (``SOURCE_DATE_EPOCH``); "" if none."""
    return git(root, "log", "-1", "--format=%ct")


@functools.cache
def build_facts(root: str) -> dict[str, str]:
    """Date, commit and the versions that verified the book, for this build.

    The date is ``SOURCE_DATE_EPOCH``'s when it is set (reproducible builds), else today's in
    UTC; the commit says "with uncommitted changes" when the book's sources differ from it.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    ).date()
    commit = git(root, "rev-parse", "--short=10", "HEAD")
    if commit and git(
        root, "status", "--porcelain", "--untracked-files=no", "--", "docs", "src", "conf.py"
    ):
        commit += " with uncommitted changes"
    return {
        "date": when.isoformat(),
        "year": str(when.year),
        "commit": commit,
        "sympy": importlib.metadata.version("sympy"),
        "numpy": importlib.metadata.version("numpy"),
    }
