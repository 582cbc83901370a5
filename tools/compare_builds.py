"""Compare two builds of the book byte for byte and show where they differ.

``make repro`` builds the book twice from scratch, each build in its own folder
with an empty execution cache, and runs this script on the two ``html``
folders: the book is reproducible when every file of one is byte-identical to
the same file of the other. Sphinx's doctrees (``.doctrees/``) are skipped:
they are the build's cache, pickles that record when each page was read, not
part of the book a reader gets.

Usage: ``python tools/compare_builds.py FIRST SECOND``. The exit status is 0
when the builds are identical and 1 when they differ, with a report that names
every differing file and shows the first differences of each, long lines cut
around the first differing character; 2 when a folder is missing.
"""

from __future__ import annotations

import difflib
import sys
from pathlib import Path

SKIPPED = {".doctrees"}
FILES_SHOWN = 10  # files whose differences are shown in full
LINES_SHOWN = 12  # lines of each file's difference
WIDTH = 160  # characters of a long line shown around its first difference


def files(root: Path) -> set[str]:
    """The paths of the files under ``root``, relative to it, ``SKIPPED`` folders left out."""
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not SKIPPED & set(path.relative_to(root).parts)
    }


def _clip(line: str, column: int) -> str:
    """``line`` cut to ``WIDTH`` characters that show ``column``, with ``…`` where cut."""
    if len(line) <= WIDTH:
        return line
    start = max(0, min(column - WIDTH // 3, len(line) - WIDTH))
    end = start + WIDTH
    return ("…" if start else "") + line[start:end] + ("…" if end < len(line) else "")


def _first_difference(a: str | bytes, b: str | bytes) -> int:
    """The index of the first character (or byte) where ``a`` and ``b`` differ."""
    pairs = zip(a, b, strict=False)
    return next((i for i, (x, y) in enumerate(pairs) if x != y), min(len(a), len(b)))


def excerpt(first: bytes, second: bytes) -> list[str]:
    """The first lines that differ between two versions of a file, ready to print."""
    try:
        a, b = first.decode("utf-8").splitlines(), second.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return [
            f"binary: {len(first)} and {len(second)} bytes, "
            f"first difference at byte {_first_difference(first, second)}"
        ]
    shown: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        shown.append(f"@@ line {i1 + 1} of the first, line {j1 + 1} of the second")
        removed, added = a[i1:i2], b[j1:j2]
        for k in range(max(len(removed), len(added))):
            old = removed[k] if k < len(removed) else None
            new = added[k] if k < len(added) else None
            column = _first_difference(old, new) if old is not None and new is not None else 0
            shown += [f"- {_clip(old, column)}"] if old is not None else []
            shown += [f"+ {_clip(new, column)}"] if new is not None else []
        if len(shown) >= LINES_SHOWN:
            return [*shown[:LINES_SHOWN], "  …"]
    return shown


def compare(first: Path, second: Path) -> tuple[int, list[str]]:
    """Compare two build folders; return the exit status and the report's lines."""
    in_first, in_second = files(first), files(second)
    differing = sorted(
        path
        for path in in_first & in_second
        if (first / path).read_bytes() != (second / path).read_bytes()
    )
    only_first, only_second = sorted(in_first - in_second), sorted(in_second - in_first)
    skipped = ", ".join(sorted(SKIPPED))
    if not (differing or only_first or only_second):
        return 0, [f"The two builds are byte-identical: {len(in_first)} files ({skipped} skipped)."]
    report = [
        f"The two builds differ: {first} and {second} "
        f"({len(in_first | in_second)} files, {skipped} skipped)",
        *(f"  differs:            {path}" for path in differing),
        *(f"  only in the first:  {path}" for path in only_first),
        *(f"  only in the second: {path}" for path in only_second),
    ]
    for path in differing[:FILES_SHOWN]:
        report += ["", f"--- {path}"]
        report += excerpt((first / path).read_bytes(), (second / path).read_bytes())
    if len(differing) > FILES_SHOWN:
        report += ["", f"(the differences of {len(differing) - FILES_SHOWN} more files not shown)"]
    return 1, report


def main(arguments: list[str]) -> int:
    if len(arguments) != 2:
        print("usage: python tools/compare_builds.py FIRST SECOND", file=sys.stderr)
        return 2
    first, second = (Path(argument) for argument in arguments)
    for folder in (first, second):
        if not folder.is_dir():
            print(f"compare_builds: no build folder at {folder}", file=sys.stderr)
            return 2
    status, report = compare(first, second)
    print("\n".join(report))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
