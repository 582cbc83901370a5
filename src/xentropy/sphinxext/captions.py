"""A table glued into the book as a figure is numbered and captioned as a table.

MyST-NB pastes an executed cell's output with ``{glue:figure}``, whatever the output is; when
it is a table (a DataFrame or a docutils table), Sphinx would caption it "Fig. 4.2" and count
it among the figures. Such a figure becomes a :class:`table_figure`, which Sphinx numbers
among the tables ("Table 4.1") and which renders as the figure it was.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.transforms import SphinxTransform


class table_figure(nodes.figure):
    """A figure whose content is a table: numbered, referenced and captioned as a table."""


def _holds_a_table(figure: nodes.figure) -> bool:
    body = [
        child for child in figure.children if not isinstance(child, nodes.caption | nodes.legend)
    ]
    tables = [
        node
        for child in body
        for node in child.findall()
        if isinstance(node, nodes.table)
        or (isinstance(node, nodes.raw) and "<table" in node.astext())
    ]
    images = [node for child in body for node in child.findall(nodes.image)]
    return bool(tables) and not images


class TablesAsTables(SphinxTransform):
    """Turn each figure that holds a table, and no image, into a :class:`table_figure`."""

    # Before the standard domain and the toctree collector read the numbered nodes.
    default_priority = 700

    def apply(self, **kwargs: Any) -> None:
        for figure in list(self.document.findall(nodes.figure)):
            if type(figure) is nodes.figure and _holds_a_table(figure):
                table = table_figure(figure.rawsource, *figure.children, **figure.attributes)
                figure.replace_self(table)


def _visitors(writer: str) -> tuple[Any, Any]:
    return (
        lambda self, node: self.visit_figure(node),
        lambda self, node: self.depart_figure(node),
    )


def setup(app: Any) -> None:
    """Number glued tables among the tables."""
    app.add_enumerable_node(
        table_figure,
        "table",
        None,
        **{writer: _visitors(writer) for writer in ("html", "latex", "text", "man", "texinfo")},
    )
    app.add_transform(TablesAsTables)
