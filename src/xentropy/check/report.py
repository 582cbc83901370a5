r"""Check a derivation written in LaTeX, step by step, and report each step.

:func:`check_latex` finds the equations of a LaTeX or Markdown text
(:mod:`~xentropy.check.displays`), reads each side in a notation
(:mod:`~xentropy.check.reader`, :mod:`~xentropy.check.vocabulary`) and checks every ``=``
with the book's engine (:func:`~xentropy.derivation.verify_equal`) against the line before,
with the notation's definitions. The :class:`Report` says for each step whether it was proven,
checked numerically, or is WRONG (with both sides, the first values where they differ and,
when the mistake is a usual one, a hint from :mod:`~xentropy.check.hints`).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any

from xentropy.check.displays import Side, equations
from xentropy.check.hints import hint
from xentropy.check.reader import ReadError, ShapeMismatch, read
from xentropy.check.vocabulary import Vocabulary, nielsen, of_derivation
from xentropy.derivation import (
    CHECKED_NUMERICALLY,
    DIGITS,
    POINTS,
    PROVEN,
    Derivation,
    StepError,
    verify_equal,
)

__all__ = ["WRONG", "Report", "StepReport", "check_latex", "vocabulary_for"]

WRONG = "WRONG"

_NUMERICALLY = (
    f"SymPy could not simplify the difference to 0; the two sides agree at {POINTS} random "
    f"points to {DIGITS} digits"
)
_SHAPES = (
    "with the inputs as the rows of X (n×k), z = Xw + b and the gradient is X^T(σ(z) − y)/n; "
    "WX or w^T X do not exist for this X"
)


@dataclass(frozen=True)
class StepReport:
    """The verdict on one ``=``.

    Attributes
    ----------
    number : int
        1 for the first ``=`` of the text, and so on.
    line : int
        The line of the file its new side starts on.
    previous, new : str
        The LaTeX of the two sides, as written.
    verdict : str
        ``"proven"``, ``"checked numerically"`` or ``"WRONG"``.
    detail : str
        Why it was checked numerically; for a wrong step, where the two sides differ.
    hint : str or None
        For a wrong step that is a usual mistake, which one.
    """

    number: int
    line: int
    previous: str
    new: str
    verdict: str
    detail: str = ""
    hint: str | None = None

    def lines(self) -> list[str]:
        """The report of this step: one line, and for a wrong step what is wrong."""
        head = f"line {self.line}, step {self.number}: {self.verdict}: = {self.new}"
        if self.verdict == PROVEN:
            return [head]
        if self.verdict == CHECKED_NUMERICALLY:
            return [head, f"    why: {self.detail}"]
        out = [head, f"    the line before: {self.previous}", f"    this line:       {self.new}"]
        out.append(f"    {self.detail}")
        if self.hint:
            out.append(f"    hint: {self.hint}")
        return out


@dataclass(frozen=True)
class Report:
    """Every step of a checked text, in order; ``print(report)`` shows them one a line.

    Attributes
    ----------
    notation : str
        The notation the text was read in.
    steps : tuple of StepReport
    """

    notation: str
    steps: tuple[StepReport, ...]

    @property
    def ok(self) -> bool:
        """True when every step holds."""
        return all(s.verdict != WRONG for s in self.steps)

    @property
    def exit_code(self) -> int:
        """0 when every step holds, 1 when one is wrong (``python -m xentropy check``)."""
        return 0 if self.ok else 1

    def first_wrong(self) -> StepReport | None:
        """The first wrong step, if any."""
        return next((s for s in self.steps if s.verdict == WRONG), None)

    def __str__(self) -> str:
        counts = {v: sum(s.verdict == v for s in self.steps) for v in (PROVEN, CHECKED_NUMERICALLY)}
        wrong = len(self.steps) - sum(counts.values())
        summary = (
            f"{len(self.steps)} step{'' if len(self.steps) == 1 else 's'}: "
            f"{counts[PROVEN]} proven, "
            f"{counts[CHECKED_NUMERICALLY]} checked numerically, {wrong} wrong"
        )
        lines = [f"Read in {self.notation}."]
        lines += [line for s in self.steps for line in s.lines()]
        return "\n".join([*lines, summary])

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # IPython (a notebook cell) shows the report as print() does
        printer.text(str(self))


def vocabulary_for(like: str | Derivation | None) -> Vocabulary:
    """The notation to read in: Nielsen's (None), or that of a derivation of the book.

    Raises
    ------
    KeyError
        If ``like`` names no derivation of the book; the message lists those that exist.
    """
    if like is None:
        return _nielsens()
    if isinstance(like, Derivation):
        return of_derivation(like, like.label or "derivation")
    return _of_the_books(like)


# A vocabulary is frozen and a pure function of its notation: each is made once per process
# (a fifth of a second each; the round-trip tests check 117 files, the book's pages a dozen).
@functools.cache
def _nielsens() -> Vocabulary:
    return nielsen()


@functools.cache
def _of_the_books(name: str) -> Vocabulary:
    from xentropy.symbolic import catalog

    return of_derivation(catalog.build(name), name)


def check_latex(text: str, *, like: str | Derivation | None = None) -> Report:
    r"""Check every step of the derivations in ``text``, LaTeX or Markdown.

    Parameters
    ----------
    text : str
        The displays (``align``, ``aligned``, ``equation``, ``$$ … $$``) to check; each line is
        ``lhs &= rhs`` or ``&= rhs``, continuing the line before.
    like : str or Derivation, optional
        Read in the notation of this derivation of the book (its name or the object) instead of
        Nielsen's one-neuron notation.

    Returns
    -------
    Report
        ``print(report)`` shows every step; ``report.exit_code`` is 0 or 1.

    Raises
    ------
    ReadError
        For text that cannot be read, naming the line, the token and what was expected.

    Examples
    --------
    >>> report = check_latex(r'''
    ... $$
    ... \frac{\partial C_x}{\partial b} = \frac{\partial C_x}{\partial z}
    ...   = \sigma(z) - y
    ... $$''')
    >>> print(report)
    Read in Nielsen's one-neuron notation.
    line 3, step 1: proven: = \frac{\partial C_x}{\partial z}
    line 4, step 2: proven: = \sigma(z) - y
    2 steps: 2 proven, 0 checked numerically, 0 wrong
    """
    vocabulary = vocabulary_for(like)
    chains = _chains(text, vocabulary)
    steps: list[StepReport] = []
    for chain in chains:
        for (before, p), (side, q) in itertools.pairwise(chain):
            steps.append(_check(len(steps) + 1, before, p, side, q, vocabulary))
    if not steps:
        raise ReadError(
            1,
            1,
            text.strip()[:20] + ("…" if len(text.strip()) > 20 else ""),
            "expected a display (align, aligned, equation, $$ … $$) with a line lhs = rhs",
        )
    return Report(vocabulary.name, tuple(steps))


def _chains(text: str, vocabulary: Vocabulary) -> list[list[tuple[Side, Any]]]:
    """Each chain a = b = c … of the text, every side read (a ShapeMismatch stands for a side
    whose matrices do not fit)."""
    chains: list[list[tuple[Side, Any]]] = []
    for row in equations(text):
        read_sides = [(s, _read(s, vocabulary)) for s in row if s.tex.strip()]
        if row[0].continues:
            if not chains:
                raise ReadError(row[0].line, row[0].column, "=", "expected a left-hand side first")
            chains[-1].extend(read_sides)
        else:
            chains.append(read_sides)
    return chains


def _read(side: Side, vocabulary: Vocabulary) -> Any:
    try:
        return read(side.tex, vocabulary, line=side.line, column=side.column)
    except ShapeMismatch as mismatch:
        return mismatch


def _shortened(message: str, shown: int = 4) -> str:
    """The engine's "the sides differ at a = 1, x[1, 1] = 2, …: p against q", with at most
    ``shown`` entries of each indexed quantity (x[1, 1], x[1, 2], …), the others counted."""
    head, at, rest = message.partition("the sides differ at ")
    point, colon, values = rest.rpartition(": ")
    if not at or not colon:
        return message
    kept, left_out = [], 0
    seen: dict[str, int] = {}
    for part in re.split(r", (?![^\[]*\])", point):
        family = part.split("[")[0] if "[" in part else part
        seen[family] = seen.get(family, 0) + 1
        if seen[family] <= shown:
            kept.append(part)
        else:
            left_out += 1
    more = f", and {left_out} more" if left_out else ""
    return f"{head}the sides differ at {', '.join(kept)}{more}: {values}"


def _check(
    number: int, before: Side, p: Any, side: Side, q: Any, vocabulary: Vocabulary
) -> StepReport:
    def wrong(detail: str, hinted: str | None = None) -> StepReport:
        return StepReport(number, side.line, before.source, side.source, WRONG, detail, hinted)

    for value, which in ((p, "the line before"), (q, "this line")):
        if isinstance(value, ShapeMismatch):
            return wrong(f"{which} multiplies or adds matrices whose shapes do not fit", _SHAPES)
    seed = f"check:{number}"
    try:
        verdict = verify_equal(
            p, q, vocabulary.where, vocabulary.sample, seed=seed, given=vocabulary.given
        )
    except StepError as error:
        hinted = hint(
            p,
            q,
            vocabulary.where,
            vocabulary.sample,
            seed=seed,
            difference=str(error),
            given=vocabulary.given,
        )
        return wrong(_shortened(str(error)), hinted)
    detail = _NUMERICALLY if verdict == CHECKED_NUMERICALLY else ""
    return StepReport(number, side.line, before.source, side.source, verdict, detail)
