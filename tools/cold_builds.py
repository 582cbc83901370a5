"""Run N cold parallel builds of the book in a row and count the failures.

Each build is ``make html`` into a fresh folder (no execution cache, every page
executed, pages read in parallel), exactly as a reader's first build. A build
that fails one time in N is worse than a slow one: this is how that rate is
measured. For every failed build it prints the lines that say why (a kernel
that died, a port already in use, a traceback).

    python tools/cold_builds.py 10
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Lines worth showing from a failed build.
TELLING = re.compile(r"Error|error|died|Address already in use|Traceback|WARNING")


def cold_build(folder: Path, jobs: str) -> tuple[bool, float, str]:
    """Build the book into ``folder`` from nothing; return success, seconds and the output."""
    start = time.perf_counter()
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(ROOT),
            "html",
            f"BUILDDIR={folder}",
            f"JOBS={jobs}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0, time.perf_counter() - start, result.stdout + result.stderr


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("builds", type=int, nargs="?", default=10, help="how many (default 10)")
    parser.add_argument("--jobs", default="auto", help="Sphinx's -j for each build (default auto)")
    arguments = parser.parse_args(argv)

    failures = 0
    warned = 0
    for number in range(1, arguments.builds + 1):
        with tempfile.TemporaryDirectory(prefix="xentropy-cold-") as folder:
            ok, seconds, output = cold_build(Path(folder), arguments.jobs)
        warnings = [line for line in output.splitlines() if "WARNING" in line]
        warned += bool(warnings)
        print(
            f"build {number:>3}: {'ok    ' if ok else 'FAILED'} {seconds:6.1f} s"
            f"{f', {len(warnings)} WARNING lines' if warnings else ''}",
            flush=True,
        )
        if not ok:
            failures += 1
            for line in output.splitlines():
                if TELLING.search(line):
                    print(f"    {line[:200]}")
    print(
        f"{failures} of {arguments.builds} cold parallel builds failed; "
        f"{warned} printed a WARNING line"
    )
    return 1 if failures or warned else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
