"""Make sphinx-proof usable in the book's parallel build.

sphinx-proof 0.4 declares itself safe for parallel reading, but its ``prf`` domain
lacks ``merge_domaindata``, so Sphinx stops a ``-j`` build with
``NotImplementedError`` as soon as two workers have read pages (and, in Sphinx
9.0, can then hang on the worker still sending its results). The domain keeps no
data of its own: its proofs live in ``env.proof_list``, which sphinx-proof merges
itself on ``env-merge-info``. Merging the domain's data is therefore nothing to
do, which is what this supplies, only where the installed version lacks it.

sphinx-proof, sphinx-exercise and MyST-NB copy their stylesheets into the output when the build
ends, after the pages are written, so a clean build's pages linked them without the checksum
(``?v=``) that Sphinx gives every other stylesheet, and a rebuild's index and search pages with
it: the two builds differed, and a browser could keep an old copy of sphinx-proof's or
sphinx-exercise's stylesheet. They are copied, as each extension copies them, before any page
is written as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _merge_nothing(self: Any, docnames: Any, otherdata: dict[str, Any]) -> None:
    """The prf domain's own data is empty; sphinx-proof merges its proofs elsewhere."""


def copy_stylesheets_first(app: Any) -> None:
    """Copy the stylesheets of sphinx-proof, sphinx-exercise and MyST-NB as each does when the
    build ends, but before the pages are written."""
    if app.builder.format != "html":
        return
    import sphinx_exercise
    import sphinx_proof
    from myst_nb import sphinx_ext

    Path(app.outdir, "_static").mkdir(parents=True, exist_ok=True)
    for copy in (
        sphinx_proof.copy_asset_files,
        sphinx_exercise.copy_asset_files,
        sphinx_ext.add_global_html_resources,
    ):
        copy(app, None)


def setup(app: Any) -> None:
    """Give sphinx-proof's domain the merge step parallel builds need, and the extensions'
    stylesheets their checksums."""
    app.connect("builder-inited", copy_stylesheets_first)
    from sphinx.domains import Domain
    from sphinx_proof.domain import ProofDomain

    if ProofDomain.merge_domaindata is Domain.merge_domaindata:
        ProofDomain.merge_domaindata = _merge_nothing
