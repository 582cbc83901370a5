"""The "Cite this" box and the provenance line of a derivation page.

Two directives for the pages:

``{cite-this}`` with ``:equation: LABEL``
    A folded box with a plain-text citation and a BibTeX entry naming the book,
    the page, the equation's number as the book prints it, the version of the
    book and the build (date and commit).

``{provenance}``
    A visible line saying how the page's steps were verified (counted from the
    derivations it shows), with which SymPy and NumPy, when and from which
    commit the book was built.

The equation's number is known only once every page has been read, so both
render in ``doctree-resolved``; the date, commit and versions come from
:func:`xentropy.sphinxext.provenance.build_facts`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from xentropy.sphinxext.provenance import build_facts
from xentropy.sphinxext.verification import page_sentence


class cite_this(nodes.General, nodes.Element):
    """Placeholder for a "Cite this" box, filled in once references are resolved."""


class provenance(nodes.General, nodes.Element):
    """Placeholder for the provenance line."""


class CiteThis(SphinxDirective):
    """``{cite-this}``: a citation of this page and one of its equations."""

    option_spec: ClassVar = {"equation": directives.unchanged_required}

    def run(self) -> list[nodes.Node]:
        label = self.options["equation"]
        node = cite_this(equation=label)
        # Resolved by Sphinx like {eq}`label`: a dangling label fails the build.
        node += addnodes.pending_xref(
            "",
            nodes.Text(label),
            refdomain="math",
            reftype="eq",
            reftarget=label,
            refdoc=self.env.docname,
            refexplicit=False,
            refwarn=True,
        )
        self.set_source_info(node)
        return [node]


class Provenance(SphinxDirective):
    """``{provenance}``: how and when the page's derivations were verified."""

    def run(self) -> list[nodes.Node]:
        node = provenance()
        self.set_source_info(node)
        return [node]


def bibtex_entry(
    *,
    key: str,
    title: str,
    section: str,
    equation: str,
    version: str,
    facts: dict[str, str],
    url: str = "",
) -> str:
    """The BibTeX entry of one equation of one page; ``url`` its address, once the book is hosted.

    Examples
    --------
    >>> facts = {"date": "2026-11-27", "year": "2026", "commit": "c0ffee"}
    >>> print(bibtex_entry(key="xentropy-derivation-eq-1", title="Cross-entropy",
    ...                    section="Maths", equation="(2.1)", version="0.1.0",
    ...                    facts=facts))
    @misc{xentropy-derivation-eq-1,
      author       = {{The xentropy authors}},
      title        = {Cross-entropy},
      howpublished = {Executable book, version 0.1.0},
      year         = {2026},
      version      = {0.1.0},
      note         = {Section ``Maths'', equation (2.1). Built on 2026-11-27 from commit c0ffee}
    }
    >>> print(bibtex_entry(key="k", title="T", section="S", equation="(1)", version="1",
    ...                    facts=facts, url="https://example.org/book/p.html#equation-e"))
    @misc{k,
      author       = {{The xentropy authors}},
      title        = {T},
      howpublished = {Executable book, version 1},
      year         = {2026},
      version      = {1},
      url          = {https://example.org/book/p.html#equation-e},
      note         = {Section ``S'', equation (1). Built on 2026-11-27 from commit c0ffee}
    }
    """
    built = f"Built on {facts['date']}" + (
        f" from commit {facts['commit']}" if facts["commit"] else ""
    )
    return (
        f"@misc{{{key},\n"
        f"  author       = {{{{The xentropy authors}}}},\n"
        f"  title        = {{{title}}},\n"
        f"  howpublished = {{Executable book, version {version}}},\n"
        f"  year         = {{{facts['year']}}},\n"
        f"  version      = {{{version}}},\n"
        + (f"  url          = {{{url}}},\n" if url else "")
        + f"  note         = {{Section ``{section}'', equation {equation}. {built}}}\n"
        f"}}"
    )


def _fill(app: Any, doctree: nodes.document, docname: str) -> None:
    facts = build_facts(str(app.confdir))
    config = app.config
    section = app.env.titles[docname].astext()
    built = f"built on {facts['date']}" + (
        f" from commit {facts['commit']}" if facts["commit"] else ""
    )

    for node in list(doctree.findall(provenance)):
        text = (
            f"{page_sentence(app.env, docname)} SymPy {facts['sympy']} checked them, and NumPy "
            f"{facts['numpy']} computed every number, when this book (version {config.release}) "
            f"was {built}."
        )
        box = nodes.admonition("", classes=["provenance", "note"])
        box += nodes.title("", "Verified by machine")
        box += nodes.paragraph("", text)
        node.replace_self(box)

    for node in list(doctree.findall(cite_this)):
        reference = node.children[0]
        equation = reference.astext()
        url = (
            f"{config.html_baseurl.rstrip('/')}/{app.builder.get_target_uri(docname)}"
            f"#equation-{node['equation']}"
            if config.html_baseurl
            else ""
        )
        key = "xentropy-" + re.sub(r"[^a-z0-9]+", "-", f"{docname}-{node['equation']}".lower())
        plain = nodes.paragraph()
        plain += nodes.Text(f"{config.author}. ")
        plain += nodes.emphasis("", config.html_title)
        plain += nodes.Text(f", version {config.release}, section “{section}”, equation ")
        plain += reference.deepcopy()
        plain += nodes.Text(f". Executable book, {built}.")
        if url:
            plain += nodes.Text(" ")
            plain += nodes.reference(url, url, refuri=url)
        entry = bibtex_entry(
            key=key,
            title=config.html_title,
            section=section,
            equation=equation,
            version=config.release,
            facts=facts,
            url=url,
        )
        bibtex = nodes.literal_block(entry, entry, language="bibtex")
        box = nodes.admonition("", classes=["cite-this", "dropdown", "tip"])
        box += nodes.title("", "Cite this")
        box += nodes.paragraph("", "As text:")
        box += plain
        box += nodes.paragraph("", "As BibTeX:")
        box += bibtex
        node.replace_self(box)


def _visit_placeholder(self: Any, node: nodes.Element) -> None:
    raise nodes.SkipNode


def setup(app: Any) -> None:
    """Register the directives and fill them in once references are resolved."""
    for node_class in (cite_this, provenance):
        app.add_node(
            node_class,
            **{
                fmt: (_visit_placeholder, None)
                for fmt in ("html", "latex", "text", "man", "texinfo")
            },
        )
    app.add_directive("cite-this", CiteThis)
    app.add_directive("provenance", Provenance)
    app.connect("doctree-resolved", _fill)
