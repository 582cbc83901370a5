r"""Find the equations of a LaTeX or Markdown file: each display, each line, each side of ``=``.

The displays are ``equation``, ``align``, ``gather`` and ``multline`` environments (starred or not),
``\[ … \]``, ``$$ … $$`` and, in Markdown, ``{math}`` fences; an ``aligned`` or ``split`` inside
one is read as its lines. A line is split at ``\\`` and its sides at ``=`` (never inside braces or
a matrix). What does not change the mathematics is blanked out before anything is read, keeping
every character where it was, so that an error points at the line and column of the file:
comments, ``\text{…}`` (a step's reason), ``\label``, ``\tag``, ``\nonumber``, the alignment
``&`` and the punctuation that ends a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Side", "displays", "equations"]

_ENVIRONMENTS = r"equation|align|alignat|gather|multline|eqnarray"
_DISPLAY = re.compile(
    rf"\\begin\{{(?P<env>(?:{_ENVIRONMENTS})\*?)\}}(?P<body>.*?)\\end\{{(?P=env)\}}"
    r"|\$\$(?P<dollars>.*?)\$\$"
    r"|\\\[(?P<brackets>.*?)\\\]"
    r"|^(?P<fence>`{3,}|~{3,})\{math\}[^\n]*\n(?P<math>.*?)^(?P=fence)[ \t]*$",
    re.DOTALL | re.MULTILINE,
)
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n.*?^(?P=fence)[ \t]*$", re.S | re.M)
_COMMENT = re.compile(r"(?<!\\)%[^\n]*")
# Commands whose braced argument is words, not mathematics: blanked with the argument.
_WORDS = re.compile(r"\\(?:text|textrm|textit|textbf|mbox|label|tag|intertext)\*?\s*\{")
_BLANKED = re.compile(
    r"\\(?:nonumber|notag)\b"
    r"|\\(?:begin|end)\{(?:aligned|split|gathered|alignedat)\}(?:\{\d+\})?"
    r"|\\quad|\\qquad"
    r"|^:[a-z-]+:[^\n]*$",  # a {math} fence's options, such as :label:
    re.M,
)


@dataclass(frozen=True)
class Side:
    """One side of an ``=``: its LaTeX, and where it starts in the file.

    Attributes
    ----------
    tex : str
        The LaTeX, blanked where it does not say anything (its length is kept).
    line, column : int
        Where it starts in the file, counted from 1.
    row : int
        Which line of the file its display line starts on.
    continues : bool
        True for the first side of a line that starts with ``=``: it continues the chain above.
    """

    tex: str
    line: int
    column: int
    continues: bool = False

    @property
    def source(self) -> str:
        """The LaTeX on one line, as it reads."""
        return " ".join(self.tex.split())


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))


def _blank_code(fence: re.Match[str]) -> str:
    """A Markdown code fence blanked (its strings may hold $$), a {math} fence kept."""
    return fence.group(0) if fence.group("info").startswith("{math}") else _blank(fence)


def _blank_words(text: str) -> str:
    r"""``text`` with every ``\text{…}`` (and the like) blanked, braces nested to any depth."""
    chars = list(text)
    for found in _WORDS.finditer(text):
        depth, end = 1, found.end()
        while end < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[end], 0) if text[end - 1] != "\\" else 0
            end += 1
        for p in range(found.start(), end):
            if chars[p] != "\n":
                chars[p] = " "
    return "".join(chars)


def displays(text: str) -> Iterator[tuple[int, str]]:
    """Each display of ``text``: the offset where its body starts, and its body (blanked)."""
    text = _FENCE.sub(_blank_code, _COMMENT.sub(_blank, text))
    for found in _DISPLAY.finditer(text):
        group = next(
            g for g in ("body", "dollars", "brackets", "math") if found.group(g) is not None
        )
        body = _BLANKED.sub(_blank, _blank_words(found.group(group)))
        yield found.start(group), body


def equations(text: str) -> Iterator[list[Side]]:
    r"""Each line of each display of ``text``, as its sides: ``a = b = c`` gives three.

    Examples
    --------
    >>> rows = [r"\begin{align}", r"  f &= g \\", r"  &= h. \quad \text{why}", r"\end{align}"]
    >>> tex = "\n".join(rows)
    >>> [[(s.source, s.line, s.continues) for s in row] for row in equations(tex)]
    [[('f', 2, False), ('g', 2, False)], [('', 3, True), ('h', 3, False)]]
    """
    for offset, body in displays(text):
        for start, row in _split(body, "\\\\"):
            row = re.sub(r"[.,;]\s*$", lambda m: " " * len(m.group(0)), row)
            row = _blank_top_level(row, "&")
            if not row.strip():
                continue
            sides = []
            for part_start, part in _split(row, "="):
                lead = len(part) - len(part.lstrip())  # a side starts where its first token does
                line, column = _position(text, offset + start + part_start + lead)
                sides.append(Side(part[lead:], line, column))
            if not sides[0].tex.strip():
                first = sides[0]
                sides[0] = Side(first.tex, first.line, first.column, continues=True)
            yield sides


def _position(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - before.rfind("\n")


def _depths(text: str) -> Iterator[tuple[int, int]]:
    """(offset, depth) for every character: depth counts open braces and matrix environments."""
    depth = 0
    position = 0
    while position < len(text):
        if text.startswith("\\begin{", position):
            depth += 1
        elif text.startswith("\\end{", position):
            depth -= 1
        char = text[position]
        if char == "\\" and position + 1 < len(text) and text[position + 1] in "{}":
            yield position, depth
            yield position + 1, depth
            position += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        yield position, depth
        position += 1


def _split(text: str, separator: str) -> list[tuple[int, str]]:
    """``text`` cut at ``separator`` where it stands outside braces and matrices, and for ``=``
    outside square brackets too: ``[c = d]`` is one number (1 when c = d), not an equation."""
    brackets = _brackets(text) if separator == "=" else [0] * len(text)
    cuts = [
        p
        for p, depth in _depths(text)
        if depth == 0
        and brackets[p] == 0
        and text.startswith(separator, p)
        and not _inside_command(text, p, separator)
    ]
    pieces, start = [], 0
    for cut in cuts:
        if cut < start:
            continue
        pieces.append((start, text[start:cut]))
        start = cut + len(separator)
    pieces.append((start, text[start:]))
    return pieces


def _brackets(text: str) -> list[int]:
    """For every character, how many square brackets are open around it."""
    depth, out = 0, []
    for char in text:
        depth = max(0, depth - 1) if char == "]" else depth
        out.append(depth)
        depth += char == "["
    return out


def _inside_command(text: str, position: int, separator: str) -> bool:
    # "\\" is one separator, not two; the second "\" of a "\\" is not the start of another
    return separator == "\\\\" and position > 0 and text[position - 1] == "\\"


def _blank_top_level(text: str, char: str) -> str:
    chars = list(text)
    for p, depth in _depths(text):
        if depth == 0 and text[p] == char and (p == 0 or text[p - 1] != "\\"):
            chars[p] = " "
    return "".join(chars)
