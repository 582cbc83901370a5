"""By every numbered equation, its LaTeX source, folded, with a copy button.

A student who cites a derivation wants it in their own report. The fold holds
the very text the page typesets (for a derivation, the ``aligned`` block that
SymPy checked), inside an amsmath ``equation``: copy, paste, compile. It is a
small "LaTeX" control under the equation's number, not a banner under every
equation; its accessible name says which equation it opens ("Show the LaTeX
source of (2.3)"). HTML only; the PDF shows the equations themselves.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes


def equation_source(math: str) -> str:
    r"""Wrap the TeX of a displayed equation in an amsmath ``equation`` environment.

    Several lines without an environment of their own are set in ``split``, as Sphinx
    does when it displays them.

    Examples
    --------
    >>> print(equation_source(r"\begin{aligned} a &= b \\ &= c \end{aligned}"))
    \begin{equation}
    \begin{aligned} a &= b \\ &= c \end{aligned}
    \end{equation}
    >>> print(equation_source(r"a &= b \\ &= c"))
    \begin{equation}
    \begin{split}
    a &= b \\ &= c
    \end{split}
    \end{equation}
    """
    body = math.strip()
    if "\\\\" in body and "\\begin{" not in body:
        body = f"\\begin{{split}}\n{body}\n\\end{{split}}"
    return f"\\begin{{equation}}\n{body}\n\\end{{equation}}"


class latex_source(nodes.General, nodes.Element):
    """The fold: ``<details>`` around the source, so the browser gives it a name and a state."""


def _visit_fold(self: Any, node: latex_source) -> None:
    self.body.append('<details class="latex-source">')


def _depart_fold(self: Any, node: latex_source) -> None:
    self.body.append("</details>\n")


def summary_html(number: str) -> str:
    """The fold's summary: "LaTeX" to the eye, the whole sentence to a screen reader.

    Examples
    --------
    >>> print(summary_html("2.3"))  # doctest: +NORMALIZE_WHITESPACE
    <summary><span class="xentropy-sr-only">Show the </span>LaTeX<span
    class="xentropy-sr-only"> source of (2.3)</span></summary>
    """
    hidden = '<span class="xentropy-sr-only">'
    return f"<summary>{hidden}Show the </span>LaTeX{hidden} source of ({number})</span></summary>"


def _add_sources(app: Any, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    numbers = app.env.toc_fignumbers.get(docname, {}).get("displaymath", {})
    for math in list(doctree.findall(nodes.math_block)):
        if not math.get("label"):
            continue
        number = ".".join(map(str, numbers.get(math["ids"][0], ()))) or str(math["number"])
        source = equation_source(math.astext())
        box = latex_source()
        box += nodes.raw("", summary_html(number), format="html")
        # Plain text: Pygments' TeX lexer stops at the $...$ inside \text{} of the reasons.
        box += nodes.literal_block(source, source, language="text")
        math.parent.insert(math.parent.index(math) + 1, box)


def setup(app: Any) -> None:
    """Add the folds once the page's references (and numbers) are resolved."""
    app.add_node(latex_source, html=(_visit_fold, _depart_fold))
    app.connect("doctree-resolved", _add_sources)
