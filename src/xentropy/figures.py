"""Figures that read on any screen: Matplotlib drawn inline, several panels that wrap.

A figure of several panels side by side shrinks on a phone until its labels are a few pixels
high. :func:`panels` keeps each panel its own drawing, at a width where its text is readable,
and lets the page lay them out: side by side where the column is wide, one per row where it
is narrow (the ``xentropy-panels`` rule of the book's stylesheet). Each panel is named by its
own alt text. The PDF, which cannot reflow, gets the panels side by side as one PNG.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Panels", "inline_svg", "panels"]


def inline_svg(figure: Any) -> str:
    """A Matplotlib figure as inline SVG, without its XML prologue, scaled to the column."""
    svg = io.StringIO()
    figure.savefig(svg, format="svg", metadata={"Date": None})
    text = svg.getvalue()
    text = text[text.index("<svg") :].replace(
        "<svg ", '<svg style="max-width: 100%; height: auto" ', 1
    )
    return text.strip()


def png(figure: Any) -> bytes:
    """A Matplotlib figure as PNG at 150 dpi, reproducibly (no software stamp)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()


@dataclass(frozen=True)
class Panels:
    """Panels that wrap to one per row on a narrow screen; one PNG for other builders."""

    svgs: tuple[str, ...]
    alts: tuple[str, ...]
    combined: bytes
    attributes: str = ""

    def __repr__(self) -> str:
        return f"<{len(self.svgs)} panels: {'; '.join(self.alts)}>"

    def _repr_html_(self) -> str:
        cells = "".join(
            f'<div class="xentropy-panel" role="img" aria-label="{html.escape(alt)}">{svg}</div>'
            for svg, alt in zip(self.svgs, self.alts, strict=True)
        )
        return f'<div class="xentropy-panels"{self.attributes}>{cells}</div>'

    def _repr_png_(self) -> bytes:
        return self.combined


def panels(
    figures: Sequence[Any], alts: Sequence[str], combined: Any, *, measured: bool = False
) -> Panels:
    """``figures``, one Matplotlib figure per panel, each named by its ``alts`` entry.

    ``combined`` is the same drawing with the panels side by side, for the PDF. With
    ``measured`` the panels are marked as drawn from measurements (:data:`xentropy.timing.MARK`),
    so that the check of reproducible builds masks them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> one, two = plt.figure(figsize=(3, 2)), plt.figure(figsize=(3, 2))
    >>> both = plt.figure(figsize=(6, 2))
    >>> shown = panels([one, two], ["the first", "the second"], both)
    >>> shown
    <2 panels: the first; the second>
    >>> shown._repr_html_().count('role="img"'), shown._repr_png_()[:4] == b"\\x89PNG"
    (2, True)
    >>> plt.close("all")
    """
    if len(figures) != len(alts):
        raise ValueError(
            f"alts must give one text per figure: {len(figures)} figures, got {len(alts)} alt texts"
        )
    return Panels(
        tuple(inline_svg(figure) for figure in figures),
        tuple(alts),
        png(combined),
        " data-measured" if measured else "",
    )
