"""Under every numbered equation, its LaTeX source, folded, with a copy button.

A student who cites a derivation wants it in their own report. The box holds
the very text the page typesets (for a derivation, the ``aligned`` block that
SymPy checked), inside an amsmath ``equation``: copy, paste, compile. HTML only;
the PDF shows the equations themselves.
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


def _add_sources(app: Any, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    for math in list(doctree.findall(nodes.math_block)):
        if not math.get("label"):
            continue
        source = equation_source(math.astext())
        box = nodes.admonition("", classes=["latex-source", "dropdown"])
        box += nodes.title("", "LaTeX source")
        # Plain text: Pygments' TeX lexer stops at the $...$ inside \text{} of the reasons.
        box += nodes.literal_block(source, source, language="text")
        math.parent.insert(math.parent.index(math) + 1, box)


def setup(app: Any) -> None:
    """Add the boxes once the page's references are resolved."""
    app.connect("doctree-resolved", _add_sources)
