"""What the book says it verified, counted from the derivations it shows, never typed.

A derivation reaches a page as one ``aligned`` block (glued from the checked
:class:`~xentropy.derivation.Derivation`), each row ``&= ... && \\text{reason}``; a step SymPy
could not prove carries "(checked numerically)" in its reason. When a page is read, its blocks
are counted: how many derivations, how many steps, which steps were checked only numerically.
The provenance line of the page (``{provenance}``) and the book's summary on its front page
(``{verification-summary}``) are written from those counts, with the equation numbers of the
numeric steps, so what the book claims is exactly what was checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

NUMERIC = "(checked numerically)"


@dataclass(frozen=True)
class Shown:
    """One derivation a page shows: its node id, how many steps, which only numerically."""

    node_id: str
    steps: int
    numeric: tuple[int, ...]


class verification_summary(nodes.General, nodes.Element):
    """Placeholder for the book's summary of its checks."""


class VerificationSummary(SphinxDirective):
    """``{verification-summary}``: what the whole book's derivations were checked to be."""

    def run(self) -> list[nodes.Node]:
        node = verification_summary()
        self.set_source_info(node)
        env: Any = self.env
        env.xentropy_summaries = getattr(env, "xentropy_summaries", set()) | {env.docname}
        return [node]


def derivations_in(doctree: nodes.Node) -> list[Shown]:
    """The derivations a doctree shows: its numbered math blocks written as checked chains.

    Examples
    --------
    >>> block = nodes.math_block("", "\\\\begin{aligned}a &= b && \\\\text{x} \\\\\\\\ "
    ...                          "&= c && \\\\text{y (checked numerically)}\\\\end{aligned}",
    ...                          ids=["equation-demo"], label="demo")
    >>> derivations_in(block)
    [Shown(node_id='equation-demo', steps=2, numeric=(2,))]
    """
    found = []
    for block in doctree.findall(nodes.math_block):
        text = block.astext()
        if not block.get("label") or "\\begin{aligned}" not in text or "&&" not in text:
            continue
        rows = [row for row in text.split("\\\\") if "&&" in row]
        numeric = tuple(number for number, row in enumerate(rows, start=1) if NUMERIC in row)
        found.append(Shown(block["ids"][0] if block["ids"] else block["label"], len(rows), numeric))
    return found


def _read(app: Any, doctree: nodes.document) -> None:
    app.env.xentropy_checks = getattr(app.env, "xentropy_checks", {})
    app.env.xentropy_checks[app.env.docname] = derivations_in(doctree)


def _purge(app: Any, env: Any, docname: str) -> None:
    getattr(env, "xentropy_checks", {}).pop(docname, None)
    getattr(env, "xentropy_summaries", set()).discard(docname)


def _merge(app: Any, env: Any, docnames: set[str], other: Any) -> None:
    env.xentropy_checks = getattr(env, "xentropy_checks", {})
    env.xentropy_checks.update(
        {d: v for d, v in getattr(other, "xentropy_checks", {}).items() if d in docnames}
    )
    env.xentropy_summaries = getattr(env, "xentropy_summaries", set()) | {
        d for d in getattr(other, "xentropy_summaries", set()) if d in docnames
    }


def _number(env: Any, docname: str, node_id: str) -> str:
    numbers = env.toc_fignumbers.get(docname, {}).get("displaymath", {})
    number = numbers.get(node_id)
    return f"({'.'.join(map(str, number))})" if number else node_id


def page_sentence(env: Any, docname: str) -> str:
    """What the page's derivations were checked to be, in one sentence (none: "")."""
    shown = [(docname, s) for s in getattr(env, "xentropy_checks", {}).get(docname, [])]
    return _sentence(shown, lambda d, s: _number(env, d, s.node_id), "on this page")


def book_sentence(env: Any) -> str:
    """What all the book's derivations were checked to be, in one sentence."""
    checks = getattr(env, "xentropy_checks", {})
    shown = [(d, s) for d in sorted(checks) for s in checks[d]]

    def where(docname: str, s: Shown) -> str:
        return f"{_number(env, docname, s.node_id)} in “{env.titles[docname].astext()}”"

    return _sentence(shown, where, "in the book")


def _sentence(
    shown: list[tuple[str, Shown]], where: Callable[[str, Shown], str], scope: str
) -> str:
    if not shown:
        return ""
    steps = sum(s.steps for _, s in shown)
    numeric = [(d, s, n) for d, s in shown for n in s.numeric]
    counted = (
        f"The {steps} steps of the {len(shown)} derivations {scope}"
        if len(shown) > 1
        else f"The {steps} steps of the derivation {scope}"
    )
    if not numeric:
        return f"{counted} are each proven exactly: SymPy made the two sides of every step equal."
    # Imported here, not with the module: it imports SymPy, 0.6 s of every build's start, and
    # only a page with a step SymPy could not decide needs it.
    from xentropy.derivation import DIGITS, POINTS

    places = ", ".join(f"{where(d, s)} step {n}" for d, s, n in numeric)
    return (
        f"{counted}: {steps - len(numeric)} proven exactly, SymPy making the two sides equal; "
        f"{len(numeric)} checked numerically, equal at {POINTS} random points to {DIGITS} digits "
        f"where SymPy could not decide ({places})."
    )


def _fill_summaries(app: Any, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(verification_summary)):
        node.replace_self(nodes.paragraph("", book_sentence(app.env)))


def _note_reading(app: Any, env: Any, docnames: list[str]) -> None:
    env.xentropy_reads_pages = bool(docnames)


def _rewrite_summaries(app: Any, env: Any) -> list[str]:
    # The summary counts every page: when any page was read again, the pages that show it are
    # written again too. When none was, the counts stand and nothing is rewritten.
    if not getattr(env, "xentropy_reads_pages", True):
        return []
    return sorted(getattr(env, "xentropy_summaries", set()))


def _visit_placeholder(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup(app: Any) -> None:
    """Count each page's derivations when it is read; fill the summary once all are read."""
    app.add_node(
        verification_summary,
        **{f: (_visit_placeholder, None) for f in ("html", "latex", "text", "man", "texinfo")},
    )
    app.add_directive("verification-summary", VerificationSummary)
    app.connect("doctree-read", _read)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-before-read-docs", _note_reading)
    app.connect("env-get-updated", _rewrite_summaries)
    app.connect("doctree-resolved", _fill_summaries)
