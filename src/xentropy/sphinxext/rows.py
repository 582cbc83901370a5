"""Aligned blocks of equations laid out by the page, one grid row per line, so they fit any width.

A derivation is an amsmath ``aligned`` block, each line ``lhs &= rhs && \\text{reason}``. Set by
MathJax as one table, it is as wide as its widest line plus its widest reason: wider than a
phone, often wider than the column beside two sidebars, and no browser can wrap a table of
glyphs. In the HTML the block is therefore written as a CSS grid with one row per line: the
left side, the right side (each its own formula, the columns keep the ``=`` aligned) and the
reason as text, in the font of the prose, with its ``$...$`` as formulas. Where the column is
wide the reason stands beside its line; where it is narrow, under it (``xentropy.css``), and a
long right side breaks at its operators (MathJax 4's in-line line breaking). The TeX of every
cell is the TeX that SymPy checked; only its layout changes. The PDF and the LaTeX source box
keep the ``aligned`` block.

A block that is not of that shape (a matrix, an ``&`` the split cannot place) is left to
MathJax, whose display line breaking keeps it inside the column.
"""

from __future__ import annotations

import html
import re
from typing import Any

from docutils import nodes
from sphinx.util.math import get_node_equation_number

ALIGNED = re.compile(r"\A\s*\\begin\{aligned\}(?P<body>.*)\\end\{aligned\}\s*\Z", re.S)
TEXT = re.compile(r"\A\\text\{(?P<words>.*)\}\Z", re.S)


def split_top_level(tex: str, separator: str) -> list[str]:
    r"""Split ``tex`` at each ``separator`` outside braces and environments.

    ``\&`` and ``\\`` are TeX's own and never split. ``separator`` is ``&`` (the cells of a
    line) or ``\\`` (the lines of a block).

    Examples
    --------
    >>> split_top_level(r"a &= \frac{1}{2} && \text{by 1 \& 2}", "&")
    ['a ', '= \\frac{1}{2} ', '', ' \\text{by 1 \\& 2}']
    >>> split_top_level(r"a &= \begin{pmatrix} 1 & 2 \end{pmatrix}", "&")
    ['a ', '= \\begin{pmatrix} 1 & 2 \\end{pmatrix}']
    >>> split_top_level("a \\\\ b", "\\\\")
    ['a ', ' b']
    """
    parts, depth, start, index = [], 0, 0, 0
    while index < len(tex):
        if tex.startswith(separator, index) and depth == 0:
            parts.append(tex[start:index])
            index += len(separator)
            start = index
            continue
        if tex.startswith("\\begin{", index):
            depth += 1
        elif tex.startswith("\\end{", index):
            depth -= 1
        elif tex[index] == "\\":
            index += 2  # a control symbol (\&, \\, \{) or the first letter of a macro
            continue
        elif tex[index] == "{":
            depth += 1
        elif tex[index] == "}":
            depth -= 1
        index += 1
    parts.append(tex[start:])
    return parts


def aligned_rows(tex: str) -> list[tuple[str, str, str]] | None:
    r"""The lines of an ``aligned`` block as (left side, right side, reason), or None.

    The reason is the text of the line's ``\text{...}``, with its ``$...$`` kept; it is ""
    where the line has none. None for anything else than a block of such lines.

    Examples
    --------
    >>> aligned_rows(r'''\begin{aligned}
    ... \sigma'(z) &= \frac{d}{dz} \sigma(z) && \text{definition of $\sigma$} \\
    ... &= \sigma(z)(1 - \sigma(z)) && \text{algebra}
    ... \end{aligned}''')
    [("\\sigma'(z)", '= \\frac{d}{dz} \\sigma(z)', 'definition of $\\sigma$'), ('', '= \\sigma(z)(1 - \\sigma(z))', 'algebra')]
    >>> aligned_rows(r"\begin{aligned} C &= 1 \end{aligned}")
    [('C', '= 1', '')]
    >>> aligned_rows(r"x = \frac{1}{2}") is None
    True
    """  # noqa: E501 (a doctest's output is one line)
    match = ALIGNED.match(tex)
    if match is None:
        return None
    rows = []
    for line in split_top_level(match["body"], "\\\\"):
        cells = [cell.strip() for cell in split_top_level(line, "&")]
        if len(cells) == 2:
            cells += ["", ""]
        if len(cells) != 4 or cells[2] or not cells[1]:
            return None
        reason = TEXT.match(cells[3]) if cells[3] else None
        if cells[3] and reason is None:
            return None
        rows.append((cells[0], cells[1], reason["words"] if reason else ""))
    return rows


def _formula(tex: str, role: str) -> str:
    # {} before a leading = gives it the spacing of a relation, as in the aligned block.
    body = f"{{}}{tex}" if role == "rhs" else tex
    return (
        f'<span class="math notranslate nohighlight xentropy-{role}">'
        f"\\(\\displaystyle {html.escape(body, quote=False)}\\)</span>"
    )


def reason_html(words: str) -> str:
    r"""A reason's text as HTML: its words escaped, its ``$...$`` as in-line formulas.

    Examples
    --------
    >>> reason_html(r"$\sigma' = \sigma(1 - \sigma)$, 50\% \& more")
    '<span class="math notranslate nohighlight">\\(\\sigma\' = \\sigma(1 - \\sigma)\\)</span>, 50% &amp; more'
    """  # noqa: E501 (a doctest's output is one line)
    out = []
    for index, part in enumerate(words.split("$")):
        if index % 2:
            out.append(
                '<span class="math notranslate nohighlight">'
                f"\\({html.escape(part, quote=False)}\\)</span>"
            )
        else:
            out.append(html.escape(re.sub(r"\\([&%#_$])", r"\1", part), quote=False))
    return "".join(out)


def _visit_rows(translator: Any, node: nodes.math_block, rows: list[tuple[str, str, str]]) -> None:
    translator.body.append(
        translator.starttag(node, "div", CLASS="math notranslate nohighlight xentropy-rows")
    )
    if node.get("number"):
        number = get_node_equation_number(translator, node)
        translator.body.append(f'<span class="eqno">({number})')
        translator.add_permalink_ref(node, "Link to this equation")
        translator.body.append("</span>")
    translator.body.append('<div class="xentropy-rows-grid">')
    for lhs, rhs, reason in rows:
        translator.body.append('<div class="xentropy-row">')
        translator.body.append(
            _formula(lhs, "lhs") if lhs else '<span class="xentropy-lhs"></span>'
        )
        translator.body.append(_formula(rhs, "rhs"))
        if reason:
            translator.body.append(f'<span class="xentropy-reason">{reason_html(reason)}</span>')
        translator.body.append("</div>")
    translator.body.append("</div></div>\n")


def _install(app: Any) -> None:
    renderers = app.registry.html_block_math_renderers
    if "mathjax" not in renderers:
        return
    visit_default, depart_default = renderers["mathjax"]

    def visit(translator: Any, node: nodes.math_block) -> None:
        rows = aligned_rows(node.astext())
        if rows is None:
            visit_default(translator, node)
            return
        _visit_rows(translator, node, rows)
        raise nodes.SkipNode

    renderers["mathjax"] = (visit, depart_default)


def setup(app: Any) -> None:
    """Render aligned blocks as rows, after MyST has installed its own display renderer."""
    app.connect("builder-inited", _install, priority=900)
