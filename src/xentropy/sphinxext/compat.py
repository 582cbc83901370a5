"""Make sphinx-proof usable in the book's parallel build.

sphinx-proof 0.4 declares itself safe for parallel reading, but its ``prf`` domain
lacks ``merge_domaindata``, so Sphinx stops a ``-j`` build with
``NotImplementedError`` as soon as two workers have read pages (and, in Sphinx
9.0, can then hang on the worker still sending its results). The domain keeps no
data of its own: its proofs live in ``env.proof_list``, which sphinx-proof merges
itself on ``env-merge-info``. Merging the domain's data is therefore nothing to
do, which is what this supplies, only where the installed version lacks it.
"""

from __future__ import annotations

from typing import Any


def _merge_nothing(self: Any, docnames: Any, otherdata: dict[str, Any]) -> None:
    """The prf domain's own data is empty; sphinx-proof merges its proofs elsewhere."""


def setup(app: Any) -> None:
    """Give sphinx-proof's domain the merge step parallel builds need."""
    from sphinx.domains import Domain
    from sphinx_proof.domain import ProofDomain

    if ProofDomain.merge_domaindata is Domain.merge_domaindata:
        ProofDomain.merge_domaindata = _merge_nothing
