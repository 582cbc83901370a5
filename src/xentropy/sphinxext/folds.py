"""Folds of code cells named by what they show, not "Toggle hidden content".

MyST-NB folds a cell tagged ``hide-input`` in a ``<details>`` whose ``<summary>`` says "Show
code cell source" but carries ``aria-label="Toggle hidden content"``: a screen reader hears a
name that is not the text on the screen (WCAG 2.5.3, label in name), and the same name for
every fold. The summary is written here as MyST-NB writes it, without that label, so its name
is its visible text.
"""

from __future__ import annotations

from html import escape
from typing import Any

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput


def visit_hide_cell_input(self: Any, node: HideCodeCellNode) -> None:
    """MyST-NB's summary, named by its visible text."""
    classes = " ".join(node["classes"])
    self.body.append(f'<details class="admonition hide {classes}">\n<summary>\n')
    self.body.append(f'<p class="collapsed admonition-title">{escape(node["prompt_show"])}</p>\n')
    self.body.append(f'<p class="expanded admonition-title">{escape(node["prompt_hide"])}</p>\n')
    self.body.append("</summary>\n")


def setup(app: Any) -> None:
    """Replace MyST-NB's HTML visitor of folded cells."""
    app.add_node(
        HideCodeCellNode, override=True, html=(visit_hide_cell_input, depart_HideCellInput)
    )
