"""Time the book's build: cold, unchanged, after a prose edit, after a package edit.

Each build is timed twice, side by side: as ``make html`` runs it (pages
executed, or taken from the execution cache) and with execution turned off
(``SPHINXOPTS="-D nb_execution_mode=off"``), which is what the same build costs
Sphinx alone. The ratio of the two is what executing the pages adds:

* cold: empty build folder and cache, every page executed;
* unchanged: the same build again, nothing to read, nothing executed;
* prose edit: a sentence added to a page, which is read again but not
  executed (its code cells, hence its cache key, did not change);
* package edit: a comment added to ``src/xentropy/numeric/binary.py``, after
  which every page that imports it, directly or not, is executed again.

The builds run in a copy of the committed tree (``git archive``) in a
temporary folder, with their own build folders there, so that the repository,
its ``_build`` and anyone building in it are left alone; the copy's package is
put first on ``PYTHONPATH``, so its pages import the copy's ``xentropy``, and
``.venv`` is used as it is (``make -o``: never re-created from the copy).
With execution off, the pages' glued numbers and equations are missing, and
the build, which treats warnings as errors, says so: its exit status is not
taken as a failure, only a missing ``index.html`` is.

Usage: ``python benchmarks/build.py [--rounds R] [--ref COMMIT]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The virtual environment this script runs in: make bench runs it with .venv/bin/python.
VENV = Path(sys.executable).parent.parent.absolute()
PROSE_PAGE = "docs/derivation.md"
PACKAGE_FILE = "src/xentropy/numeric/binary.py"
STEPS = ["cold", "unchanged", "prose edit", "package edit"]
MODES = {"executed": "", "execution off": "-D nb_execution_mode=off"}


def copy_tree(ref: str, target: Path) -> None:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    # The Makefile re-creates .venv (rm -rf, then a fresh install of the copy)
    # when these are newer than its stamp. make -o forbids that, but a make run
    # by a target inside does not inherit -o: dating them to 1970 makes sure the
    # shared .venv is never touched.
    for name in ("pyproject.toml", "requirements.lock", "package.json", "package-lock.json"):
        os.utime(target / name, (0, 0))


def build(tree: Path, builddir: Path, sphinxopts: str, env: dict[str, str]) -> tuple[float, int]:
    """Run ``make html`` in ``tree`` into ``builddir``; return the seconds and pages executed."""
    command = [
        "make",
        "--no-print-directory",
        "-C",
        str(tree),
        "html",
        f"VENV={VENV}",
        f"BUILDDIR={builddir}",
        f"SPHINXOPTS={sphinxopts}",
        "-o",
        str(VENV / ".installed"),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    executed = not sphinxopts
    if (executed and result.returncode != 0) or not (builddir / "html" / "index.html").is_file():
        sys.exit(f"benchmarks/build.py: the build failed\n{result.stdout}\n{result.stderr}")
    return seconds, result.stdout.count("Executing notebook")


def one_round(ref: str) -> dict[tuple[str, str], tuple[float, int]]:
    """Every step in both modes, each pair timed one after the other, in a fresh copy."""
    times: dict[tuple[str, str], tuple[float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="xentropy-build-bench-") as folder:
        tree = Path(folder) / "tree"
        tree.mkdir()
        copy_tree(ref, tree)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(tree / "src"), os.environ.get("PYTHONPATH")])
            ),
            # conf.py takes the build date from git, which the copy lacks.
            "SOURCE_DATE_EPOCH": subprocess.run(
                ["git", "-C", str(ROOT), "log", "-1", "--format=%ct", ref],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip(),
        }
        for step in STEPS:
            if step == "prose edit":
                with (tree / PROSE_PAGE).open("a", encoding="utf-8") as page:
                    page.write("\nA sentence added by benchmarks/build.py.\n")
            elif step == "package edit":
                if not (tree / PACKAGE_FILE).is_file():  # appending would create a new module
                    sys.exit(f"benchmarks/build.py: {PACKAGE_FILE} is not in the package")
                with (tree / PACKAGE_FILE).open("a", encoding="utf-8") as module:
                    module.write("\n# A comment added by benchmarks/build.py.\n")
            for mode, options in MODES.items():
                builddir = Path(folder) / "_build" / mode.replace(" ", "-")
                times[step, mode] = build(tree, builddir, options, env)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds, each in a fresh copy")
    parser.add_argument("--ref", default="HEAD", help="the commit to build")
    args = parser.parse_args()
    if shutil.which("make") is None:
        sys.exit("benchmarks/build.py needs make")
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", args.ref],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    rounds = [one_round(args.ref) for _ in range(args.rounds)]
    print(f"The book's build, commit {commit}, median of {args.rounds} rounds")
    print(f"  {'':<16}{'executed':>12}{'execution off':>16}{'ratio':>9}{'pages run':>11}")
    for step in STEPS:
        executed = statistics.median(r[step, "executed"][0] for r in rounds)
        off = statistics.median(r[step, "execution off"][0] for r in rounds)
        ratio = statistics.median(
            r[step, "executed"][0] / r[step, "execution off"][0] for r in rounds
        )
        pages = max(r[step, "executed"][1] for r in rounds)
        print(f"  {step:<16}{executed:>10.1f} s{off:>14.1f} s{ratio:>9.2f}{pages:>11}")
    print("  (pages run: the most pages any round executed in that build)")


if __name__ == "__main__":
    main()
