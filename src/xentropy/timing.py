"""Time code side by side, and show what was measured marked as measured.

A time is a fact about a machine at a moment, not about the source: two builds
of the same commit measure different numbers, while everything else in the
book is byte-for-byte reproducible (``make repro``). So a page shows each
measured number through :func:`measured` and each figure drawn from
measurements through :func:`measured_figure`. Both wrap their HTML in an
element with the attribute ``data-measured`` (:data:`MARK`);
``tools/compare_builds.py`` replaces the content of exactly those elements,
and the notebook outputs that consist of one, by a placeholder, and compares
everything else byte for byte. :func:`side_by_side` times contenders in turn,
round after round, so that a change in the machine's load affects them alike;
``make bench`` and the performance page use it.
"""

from __future__ import annotations

import html
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xentropy.figures import inline_svg, png

__all__ = [
    "MARK",
    "Measured",
    "MeasuredFigure",
    "measured",
    "measured_figure",
    "median_ratios",
    "round_ratios",
    "side_by_side",
]

#: The attribute that marks a measured value in the HTML; tools/compare_builds.py masks it.
MARK = "data-measured"


@dataclass(frozen=True)
class Measured:
    """A measured value as text: plain where plain text is shown, marked in HTML.

    Glue it and paste it with the ``{glue}`` role (not ``{glue:text}``, which
    would paste the plain text, unmarked).
    """

    text: str

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return f"<span {MARK}>{html.escape(self.text)}</span>"


def measured(value: float, format_spec: str = ".3g") -> Measured:
    """A measured number, formatted with ``format_spec``, marked as measured.

    Examples
    --------
    >>> from xentropy.timing import measured
    >>> t = measured(1.2345, ".2f")
    >>> t
    1.23
    >>> t._repr_html_()
    '<span data-measured>1.23</span>'
    """
    return Measured(format(value, format_spec))


@dataclass(frozen=True)
class MeasuredFigure:
    """A figure drawn from measurements: inline SVG in a marked element, PNG for other builders."""

    svg: str
    png: bytes

    def __repr__(self) -> str:
        return "<figure drawn from measurements>"

    def _repr_html_(self) -> str:
        return f"<div {MARK}>{self.svg}</div>"

    def _repr_png_(self) -> bytes:
        return self.png


def measured_figure(figure: Any) -> MeasuredFigure:
    """A Matplotlib figure, as a :class:`MeasuredFigure`, ready for ``glue`` and ``{glue:figure}``.

    The SVG is written inline, without its XML prologue, scaled to the width of
    the page; nothing it draws goes into a separate file, so the whole figure
    lies inside the marked element.
    """
    return MeasuredFigure(inline_svg(figure), png(figure))


def side_by_side(
    contenders: dict[str, Callable[[], object]], rounds: int, settle: float = 0.25
) -> dict[str, list[float]]:
    """Time every contender once per round, in turn; return each one's times in seconds.

    Each call starts ``settle`` seconds after the previous one ended: after a
    product it ran on two threads, OpenBLAS keeps its worker thread spinning
    for about 0.1 s, and on two cores shared with other work that thread takes
    the core the next contender needs (it slowed it by half or more).

    Examples
    --------
    >>> from xentropy.timing import side_by_side
    >>> calls = []
    >>> times = side_by_side({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
    ...                      rounds=2, settle=0.0)
    >>> calls
    ['a', 'b', 'a', 'b']
    >>> [len(t) for t in times.values()]
    [2, 2]
    """
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, run in contenders.items():
            time.sleep(settle)
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return times


def round_ratios(times: dict[str, list[float]], reference: str) -> dict[str, list[float]]:
    """For each contender, its time over the reference's in each round: the spread of a ratio.

    Examples
    --------
    >>> from xentropy.timing import round_ratios
    >>> round_ratios({"read": [1.0, 2.0, 4.0], "sum": [1.5, 3.0, 2.0]}, "read")
    {'read': [1.0, 1.0, 1.0], 'sum': [1.5, 1.5, 0.5]}
    """
    return {
        name: [t / r for t, r in zip(seconds, times[reference], strict=True)]
        for name, seconds in times.items()
    }


def median_ratios(times: dict[str, list[float]], reference: str) -> dict[str, float]:
    """For each contender, the median over the rounds of its time over the reference's.

    Examples
    --------
    >>> from xentropy.timing import median_ratios
    >>> median_ratios({"read": [1.0, 2.0, 4.0], "sum": [1.5, 3.0, 2.0]}, "read")
    {'read': 1.0, 'sum': 1.5}
    """
    return {
        name: statistics.median(ratios) for name, ratios in round_ratios(times, reference).items()
    }
