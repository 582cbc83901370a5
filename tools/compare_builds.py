"""Compare two builds of the book byte for byte and show where they differ.

``make repro`` builds the book twice from scratch, each build in its own folder
with an empty execution cache, and runs this script on the two ``html``
folders: the book is reproducible when every file of one is byte-identical to
the same file of the other. Sphinx's doctrees (``.doctrees/``) are skipped:
they are the build's cache, pickles that record when each page was read, not
part of the book a reader gets.

Measured values are the one planned exception. A page that times code (the
performance page) shows each time, and each figure drawn from times, inside an
element carrying the attribute ``data-measured`` (``xentropy.timing`` writes
it). In ``.html`` files the content of exactly those elements, and in ``.ipynb``
files the outputs that consist of one such element, are replaced by
``[measured]`` before the comparison; the elements themselves, their
attributes and everything around them are compared byte for byte, and the
report says how many values were masked. A file that differs anywhere else
still fails the comparison.

Usage: ``python tools/compare_builds.py FIRST SECOND``. The exit status is 0
when the builds are identical and 1 when they differ, with a report that names
every differing file and shows the first differences of each, long lines cut
around the first differing character; 2 when a folder is missing.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path

SKIPPED = {".doctrees"}
MARK = "data-measured"  # xentropy.timing.MARK
MASKED = "[measured]"
# The start tag of an element that has the mark among its attributes, alone or with a value.
_VALUE = r"""(?:=(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?"""
_MARKED_START = re.compile(
    rf"<([a-zA-Z][\w-]*)(?:\s+(?!{MARK}\b)[^\s\"'>/=]+{_VALUE})*\s+{MARK}{_VALUE}"
    rf"(?:\s+[^\s\"'>/=]+{_VALUE})*\s*>"
)
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


def _end_of_element(text: str, name: str, start: int) -> int | None:
    """Where the closing tag of the ``name`` element whose content begins at ``start`` begins."""
    depth = 1
    for tag in re.finditer(rf"<(/?){name}(?=[\s/>])[^>]*>", text[start:], re.IGNORECASE):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return start + tag.start()
    return None


def mask_html(text: str) -> tuple[str, int]:
    """``text`` with the content of every measured element replaced; how many were masked.

    An element whose closing tag cannot be found is left as it is, so that it
    is compared rather than taking the rest of the file with it.

    Examples
    --------
    >>> mask_html('<p>n = 10, <span data-measured>3.1 ms</span> each</p>')
    ('<p>n = 10, <span data-measured>[measured]</span> each</p>', 1)
    """
    kept, position, count = [], 0, 0
    while match := _MARKED_START.search(text, position):
        end = _end_of_element(text, match.group(1), match.end())
        if end is None:
            kept.append(text[position : match.end()])
        else:
            kept += [text[position : match.end()], MASKED]
            count += 1
        position = match.end() if end is None else end
    kept.append(text[position:])
    return "".join(kept), count


def _is_one_measured_element(html: str) -> bool:
    masked, count = mask_html(html.strip())
    match = _MARKED_START.match(masked)
    return (
        match is not None
        and count == 1
        and masked == f"{match.group(0)}{MASKED}</{match.group(1)}>"
    )


def mask_notebook(text: str) -> tuple[str, int]:
    """A notebook with every output that is one measured element replaced; how many were masked.

    An output counts only when its HTML is a single measured element and
    nothing else; its other representations (plain text, PNG) go with it.
    """
    notebook = json.loads(text)
    count = 0
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            if _is_one_measured_element("".join(html) if isinstance(html, list) else html):
                output["data"] = {"text/plain": MASKED}
                count += 1
    return json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", count


def comparable(path: str, content: bytes) -> tuple[bytes, int]:
    """The bytes of a file as compared, measured values masked; how many were masked."""
    suffix = Path(path).suffix
    if suffix not in (".html", ".ipynb"):
        return content, 0
    try:
        text = content.decode("utf-8")
        masked, count = mask_html(text) if suffix == ".html" else mask_notebook(text)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return content, 0
    return (masked.encode("utf-8"), count) if count else (content, 0)


def compare(first: Path, second: Path) -> tuple[int, list[str]]:
    """Compare two build folders; return the exit status and the report's lines."""
    in_first, in_second = files(first), files(second)
    compared: dict[str, tuple[bytes, bytes]] = {}
    masked = 0
    for path in sorted(in_first & in_second):
        a, count = comparable(path, (first / path).read_bytes())
        b, _ = comparable(path, (second / path).read_bytes())
        compared[path] = (a, b)
        masked += count
    differing = [path for path, (a, b) in compared.items() if a != b]
    only_first, only_second = sorted(in_first - in_second), sorted(in_second - in_first)
    skipped = ", ".join(sorted(SKIPPED))
    notes = f"{skipped} skipped" + (f"; {masked} measured values masked" if masked else "")
    if not (differing or only_first or only_second):
        return 0, [f"The two builds are byte-identical: {len(in_first)} files ({notes})."]
    report = [
        f"The two builds differ: {first} and {second} ({len(in_first | in_second)} files, {notes})",
        *(f"  differs:            {path}" for path in differing),
        *(f"  only in the first:  {path}" for path in only_first),
        *(f"  only in the second: {path}" for path in only_second),
    ]
    for path in differing[:FILES_SHOWN]:
        report += ["", f"--- {path}"]
        report += excerpt(*compared[path])
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
