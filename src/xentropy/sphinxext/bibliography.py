"""One citation style, and a bibliography whose every entry links back to where it is cited.

sphinxcontrib-bibtex writes a citation in the text in one style ("[Nielsen, 2015]") and labels
the bibliography in another ("[1]"), so a reader cannot match the two at a glance; and an
entry links back only to citations on its own page, which in this book is almost none. Here:

* the pybtex style ``xentropy`` labels every entry "Author, year" ("Nielsen, 2015",
  "Squire and Trapp, 1998", "Goodfellow et al., 2016"), and the book cites with the ``label``
  reference style, so the text shows the very label the bibliography shows;
* each entry of the bibliography ends with "Cited in" and a link to each page that cites it;
* an entry is a ``listitem`` of its list, not a ``doc-biblioentry`` (a role ARIA 1.2
  deprecates, and one a list may not hold).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle


def author_year(entry: Any) -> str:
    """The label of a bibliography entry: its authors' (or editors') last names and its year.

    Examples
    --------
    >>> from pybtex.database import Entry, Person
    >>> def book(*names):
    ...     return Entry("book", {"year": "2016"}, persons={"author": [Person(n) for n in names]})
    >>> author_year(book("Michael A. Nielsen"))
    'Nielsen, 2016'
    >>> author_year(book("William Squire", "George Trapp"))
    'Squire and Trapp, 2016'
    >>> author_year(book("Ian Goodfellow", "Yoshua Bengio", "Aaron Courville"))
    'Goodfellow et al., 2016'
    """
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    names = [" ".join(person.prelast_names + person.last_names) for person in people]
    if len(names) > 2:
        who = f"{names[0]} et al."
    else:
        who = " and ".join(names) or entry.fields.get("title", entry.key)
    return f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearLabels(BaseLabelStyle):
    """pybtex labels "Author, year", the form the book cites in."""

    def format_labels(self, sorted_entries: Any) -> Iterator[str]:
        for entry in sorted_entries:
            yield author_year(entry)


class AuthorYearStyle(UnsrtStyle):
    """pybtex's unsrt entries, sorted by author and year, labelled "Author, year"."""

    default_sorting_style = "author_year_title"
    default_label_style = "xentropy-author-year"


def _visit_citation(self: Any, node: nodes.citation) -> None:
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def _depart_citation(self: Any, node: nodes.citation) -> None:
    self.body.append("</div>\n")
    if not isinstance(node.next_node(descend=False, siblings=True), type(node)):
        self.body.append("</div>\n")


def _link_back(app: Any, doctree: nodes.document, docname: str) -> None:
    if app.builder.format != "html":
        return
    domain = app.env.get_domain("cite")
    keys = {c.citation_id: c.key for c in domain.citations if c.bibliography_key.docname == docname}
    for citation in doctree.findall(nodes.citation):
        key = next((keys[i] for i in citation["ids"] if i in keys), None)
        if key is None:
            continue
        first_on_page: dict[str, str] = {}
        for ref in domain.citation_refs:
            if any(target.key == key for target in ref.targets):
                first_on_page.setdefault(ref.docname, ref.citation_ref_id)
        if not first_on_page:
            continue
        line = nodes.paragraph("", "Cited in ", classes=["xentropy-cited-in"])
        pages = [d for d in app.env.found_docs if d in first_on_page]
        for index, page in enumerate(sorted(pages, key=_reading_order(app))):
            if index:
                line += nodes.Text(", ")
            uri = app.builder.get_relative_uri(docname, page) + "#" + first_on_page[page]
            line += nodes.reference("", app.env.titles[page].astext(), refuri=uri)
        line += nodes.Text(".")
        citation += line


def _reading_order(app: Any) -> Any:
    order = {name: index for index, name in enumerate(app.env.toctree_includes.get("index", []))}
    return lambda page: (order.get(page, len(order)), page)


def setup(app: Any) -> None:
    """Register the pybtex style, the entries' markup and the links back."""
    register_plugin("pybtex.style.labels", "xentropy-author-year", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "xentropy", AuthorYearStyle)
    app.add_node(nodes.citation, override=True, html=(_visit_citation, _depart_citation))
    app.connect("doctree-resolved", _link_back)
