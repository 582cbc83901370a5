"""Offer every executed page as a Jupyter notebook, beside its MyST source.

MyST-NB writes each executed page to ``<builddir>/jupyter_execute/<page>.ipynb``.
sphinx-book-theme lists a page's ``.ipynb`` in its download menu only when
launch buttons (Binder, Colab...) are configured, which an offline book has no
use for. This copies the executed notebook next to the page's source in
``_sources/`` and tells the theme, so the menu offers ``.md`` and ``.ipynb``.
Its cells are numbered ``cell-1``, ``cell-2``, ... on the way: MyST-NB gives
them random ids, and the notebook would otherwise differ in every build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _offer_notebook(
    app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is None or app.builder.format != "html":
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    import nbformat

    notebook = nbformat.read(executed, as_version=nbformat.NO_CONVERT)
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app: Any) -> None:
    """Connect before sphinx-book-theme builds its header buttons (priority 501)."""
    app.connect("html-page-context", _offer_notebook, priority=500)
