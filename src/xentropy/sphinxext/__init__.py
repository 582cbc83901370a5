"""The book's own Sphinx extension, for what no maintained extension provides.

* ``cache``: executed pages are cached, but never outlive the code they import.
* ``downloads``: every executed page can be downloaded as a notebook.
* ``citation``: the "Cite this" box, with the equation's number, the version and the build.
* ``verification``: what each page and the book say was checked, counted from what they show.
* ``latexsource``: every numbered equation's LaTeX source, folded, ready to copy.
* ``pasted``: glued sentences wrap; glued numbers stay whole.
* ``rows``: aligned blocks (the derivations) as rows that fit any width.
* ``folds``: folded code cells named by what they show.
* ``captions``: a table glued as a figure is numbered and captioned as a table.
* ``bibliography``: citations labelled as the bibliography is, entries that link back.
* ``compat``: the merge step sphinx-proof's domain lacks for parallel builds, and the
  extensions' stylesheets copied before the pages that link them are written.
* ``execution``: parallel pages that never collide: kernels on Unix sockets of their own, and
  cache reads that wait for a record another process is still writing; each page's kernel
  forked from a server (``forkserver``) that has imported what the pages import.

Only the book's build imports this subpackage; the rest of ``xentropy`` never does.
"""

from typing import Any

from . import (
    bibliography,
    cache,
    captions,
    citation,
    compat,
    downloads,
    execution,
    folds,
    latexsource,
    pasted,
    rows,
    verification,
)


def setup(app: Any) -> dict[str, Any]:
    """Register every part with Sphinx."""
    for part in (
        cache,
        downloads,
        citation,
        verification,
        bibliography,
        captions,
        latexsource,
        pasted,
        rows,
        folds,
        compat,
        execution,
    ):
        part.setup(app)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
