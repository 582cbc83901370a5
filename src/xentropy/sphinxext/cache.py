"""Keep MyST-NB's execution cache honest about the code the pages import.

MyST-NB (through jupyter-cache) keys a cached notebook on its cells' code
only, so after a change to the package a page imports it keeps serving the
outputs of the old code, and after an upgrade of SymPy or NumPy it keeps
serving what the old versions computed. This closes that gap: it fingerprints
the source of the watched package (``xentropy`` unless the configuration value
``xentropy_watch_package`` names another) together with the versions of every
installed distribution and, when the fingerprint differs from the one the
previous build recorded,

* marks every page whose code cells import the package as outdated, so Sphinx
  reads it again, and
* removes the cached notebooks that import the package, so MyST-NB executes
  those pages again instead of merging old outputs.

Pages that do not import the package keep their cache. A build in which
nothing changed executes nothing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import re
from pathlib import Path
from typing import Any

STAMP_NAME = "watched-package.sha256"


def _log(message: str) -> None:
    from sphinx.util import logging

    logging.getLogger(__name__).info(f"[xentropy.sphinxext] {message}")


def package_hash(name: str) -> str:
    """Return a SHA-256 over the relative paths and bytes of a package's files.

    Parameters
    ----------
    name : str
        The import name of the package, as a page would import it.

    Returns
    -------
    str
        The hexadecimal digest; it changes when any file of the package is
        added, removed, renamed or edited.

    Raises
    ------
    ModuleNotFoundError
        If ``name`` cannot be imported.

    Examples
    --------
    >>> len(package_hash("xentropy"))
    64
    """
    spec = importlib.util.find_spec(name)
    if spec is None:
        raise ModuleNotFoundError(f"xentropy_watch_package: no package named {name!r}")
    roots = list(spec.submodule_search_locations or [])
    files = [Path(spec.origin)] if not roots else []
    for root in roots:
        files += [p for p in Path(root).rglob("*") if p.is_file() and p.suffix != ".pyc"]
    digest = hashlib.sha256()
    for path in sorted(files):
        relative = path.name if not roots else str(path.relative_to(roots[0]))
        digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(name: str) -> str:
    """Return a SHA-256 of the package ``name`` and of every installed distribution's version.

    Examples
    --------
    >>> fingerprint("xentropy") != package_hash("xentropy")
    True
    """
    installed = sorted(
        f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions()
    )
    return hashlib.sha256("\n".join([package_hash(name), *installed]).encode()).hexdigest()


def imports_package(code: str, name: str) -> bool:
    """Tell whether Python source imports the package ``name``.

    Examples
    --------
    >>> imports_package("import numpy as np\\nfrom xentropy.models import C", "xentropy")
    True
    >>> imports_package("import xentropyish", "xentropy")
    False
    """
    pattern = rf"^\s*(?:import|from)\s+{re.escape(name)}(?:[\s.,]|$)"
    return re.search(pattern, code, flags=re.MULTILINE) is not None


def _outdated_pages(app: Any, env: Any, added: set, changed: set, removed: set) -> list[str]:
    name = app.config.xentropy_watch_package
    current = fingerprint(name)
    if getattr(env, "xentropy_watched_hash", None) == current:
        return []
    env.xentropy_watched_hash = current
    stale = [
        docname
        for docname in sorted(env.found_docs - added - changed)
        if imports_package(Path(env.doc2path(docname)).read_text(encoding="utf-8"), name)
    ]
    if stale:
        _log(f"{name} or its environment changed; reading again: {', '.join(stale)}")
    return stale


def _prune_cache(app: Any) -> None:
    from jupyter_cache import get_cache

    config = getattr(app.env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    name = app.config.xentropy_watch_package
    current = fingerprint(name)
    cache_dir = Path(config.execution_cache_path)
    # Opening the cache creates its database. Done here, before the pages are
    # read in parallel: with an empty cache, every parallel reader would create
    # the tables at once and all but one fail ("table settings already exists").
    cache = get_cache(cache_dir)
    stamp = cache_dir / STAMP_NAME
    if not (stamp.is_file() and stamp.read_text() == current):
        for record in cache.list_cache_records():
            notebook = cache.get_cache_bundle(record.pk).nb
            code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
            if imports_package(code, name):
                cache.remove_cache(record.pk)
                _log(f"{name} or its environment changed; dropped the cached {record.uri}")
        # Written before the pages execute: a page executed in this build runs the
        # code fingerprinted here, and a change made during the build changes the
        # fingerprint again, so the next build executes it once more.
        stamp.write_text(current)
    cache.db.dispose()


def setup(app: Any) -> None:
    """Connect the cache checks to Sphinx's events."""
    app.add_config_value("xentropy_watch_package", "xentropy", "env", str)
    app.connect("env-get-outdated", _outdated_pages)
    # After MyST-NB's own builder-inited handler, which resolves the cache path.
    app.connect("builder-inited", _prune_cache, priority=900)
