"""Keep MyST-NB's execution cache honest about the code each page imports.

MyST-NB (through jupyter-cache) keys a cached notebook on its cells' code
only, so after a change to the package a page imports it keeps serving the
outputs of the old code, and after an upgrade of SymPy or NumPy it keeps
serving what the old versions computed. This closes that gap page by page. A
page's fingerprint covers the files of the watched package (``xentropy``
unless the configuration value ``xentropy_watch_package`` names another) that
its code imports, directly or through other modules of the package, together
with the versions of every installed distribution. When a page's fingerprint
differs from the one the previous build recorded,

* Sphinx reads the page again (``env-get-outdated``), and
* its cached notebook is removed, so MyST-NB executes it again instead of
  merging old outputs.

A page that imports nothing the change touched keeps its cache: a change to
the numeric softmax re-executes the pages that import it, not the others, and
a change to this build extension or the command line re-executes none. A
build in which nothing changed executes nothing. The imports are read from
the source (:mod:`ast`); a module that imports by a computed name
(``importlib.import_module``) counts as importing its whole folder, so the
fingerprint errs towards executing again, never towards a stale output.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.machinery
import importlib.metadata
import importlib.util
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

STAMP_NAME = "page-fingerprints.json"


def _log(message: str) -> None:
    from sphinx.util import logging

    logging.getLogger(__name__).info(f"[xentropy.sphinxext] {message}")


def page_imports(code: str) -> set[str]:
    """What Python source imports, by absolute name: each module it names, and ``a.b`` for
    ``from a import b`` (``b`` may be a module or a name in ``a``).

    Source that does not parse (IPython magics) is read line by line, skipping what does not
    parse.

    >>> sorted(page_imports("import numpy as np\\n%matplotlib inline\\nfrom xentropy import cost"))
    ['numpy', 'xentropy', 'xentropy.cost']
    """
    found: set[str] = set()
    for node in ast.walk(_parse(code)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return found


def imported_modules(code: str, package: str) -> set[str]:
    """The modules of ``package`` that Python source names in its imports.

    ``from package.a import b`` names ``package.a.b`` too when ``b`` is a module.

    Examples
    --------
    >>> sorted(imported_modules("import numpy\\nfrom xentropy.symbolic import neuron", "xentropy"))
    ['xentropy.symbolic', 'xentropy.symbolic.neuron']
    >>> imported_modules("import xentropyish", "xentropy")
    set()
    """
    return {n for n in page_imports(code) if n.split(".")[0] == package and _is_module(n)}


def _parse(code: str) -> ast.Module:
    try:
        return ast.parse(code)
    except SyntaxError:
        body = []
        for line in code.splitlines():
            try:
                body += ast.parse(line.strip()).body
            except SyntaxError:
                continue
        return ast.Module(body=body, type_ignores=[])


# What the fingerprints read, remembered for one build (:func:`_forget`): every page's
# fingerprint reads the same modules of the package, and each read costs a parse (with the
# look-ups of the names it imports) or a scan of every installed distribution; without the
# memory the fingerprints of one build took 8 s of a cold build's start.
@functools.cache
def _spec(name: str) -> importlib.machinery.ModuleSpec | None:
    """Where ``name`` would be imported from, like :func:`importlib.util.find_spec`, but without
    importing the packages and modules it is in (``from xentropy.latex import printer`` would
    import SymPy into the build's process, 0.6 s of its start, for a name that is no module)."""
    parent, _, _ = name.rpartition(".")
    if not parent:
        return importlib.util.find_spec(name)
    outer = _spec(parent)
    if outer is None or outer.submodule_search_locations is None:
        return None  # inside a module, not a package: a name in it, not a module
    return importlib.machinery.PathFinder.find_spec(name, outer.submodule_search_locations)


@functools.cache
def _is_module(name: str) -> bool:
    try:
        return _spec(name) is not None
    except (ImportError, ValueError):
        return False


def module_files(modules: Iterable[str], package: str) -> set[Path]:
    """The source files that importing ``modules`` runs, within ``package``, transitively.

    Importing ``a.b.c`` runs ``a/__init__.py`` and ``a/b/__init__.py`` first, and every module
    of the package that those files import, and so on.
    """
    files: set[Path] = set()
    todo = list(modules)
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for depth in range(1, len(parts) + 1):  # the packages it is inside, and itself
            prefix = ".".join(parts[:depth])
            if prefix in seen:
                continue
            seen.add(prefix)
            spec = _spec(prefix)
            if spec is None or spec.origin is None:
                continue
            path = Path(spec.origin)
            files.add(path)
            source = path.read_text(encoding="utf-8")
            if "import_module(" in source:
                files |= set(path.parent.rglob("*.py"))
                todo += [_module_of(p, package) for p in path.parent.rglob("*.py")]
            is_package = spec.submodule_search_locations is not None
            todo += _imports_of(source, prefix if is_package else prefix.rpartition(".")[0])
    return {f for f in files if f.suffix == ".py"}


def _module_of(path: Path, package: str) -> str:
    parts = list(path.relative_to(_root(package)).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts])


def _root(package: str) -> Path:
    """The folder of an installed package."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"xentropy_watch_package: no package named {package!r}")
    return Path(spec.origin).parent


@functools.cache
def _imports_of(source: str, current_package: str) -> tuple[str, ...]:
    """The absolute names of what a module's source imports (relative imports resolved)."""
    names = []
    package = current_package.split(".")[0]
    for node in ast.walk(_parse(source)):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names if a.name.split(".")[0] == package]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = current_package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            if module.split(".")[0] != package:
                continue
            names.append(module)
            names += [f"{module}.{a.name}" for a in node.names if _is_module(f"{module}.{a.name}")]
    return tuple(names)


@functools.cache
def installed_versions() -> tuple[str, ...]:
    """``name==version`` of every installed distribution, sorted."""
    distributions = importlib.metadata.distributions()
    return tuple(sorted(f"{d.metadata['Name']}=={d.version}" for d in distributions))


def fingerprint(code: str, package: str, versions: Sequence[str]) -> str:
    """A SHA-256 of the package files ``code`` imports and of the installed versions.

    Examples
    --------
    >>> plain = fingerprint("print(1)", "xentropy", [])
    >>> plain == fingerprint("import numpy", "xentropy", [])  # nothing of the package
    True
    >>> plain != fingerprint("import xentropy.timing", "xentropy", [])
    True
    """
    return _fingerprint(code, package, tuple(versions))


# Remembered for one build, like what it reads: the execution cache's check (builder-inited) and
# the pages' staleness (env-get-outdated) each ask for every page's, 2 s each for the book.
@functools.cache
def _fingerprint(code: str, package: str, versions: tuple[str, ...]) -> str:
    root = _root(package)
    digest = hashlib.sha256()
    for path in sorted(module_files(imported_modules(code, package), package)):
        relative = path.relative_to(root) if path.is_relative_to(root) else path
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()


def page_code(path: Path) -> str:
    """The code of a page's code cells: a MyST Markdown notebook's or a Jupyter notebook's.

    A page of any other kind has none (its text is not run).
    """
    return _code_of(path.read_text(encoding="utf-8"), path.suffix)


@functools.cache
def _code_of(text: str, suffix: str) -> str:
    import nbformat
    from myst_nb.core.read import read_myst_markdown_notebook

    if suffix == ".ipynb":
        notebook = nbformat.reads(text, as_version=4)
    elif suffix == ".md" and "kernelspec:" in text:
        notebook = read_myst_markdown_notebook(text)
    else:
        return ""
    return "\n".join(c.source for c in notebook.cells if c.cell_type == "code")


def source_files(app: Any) -> list[Path]:
    """Every file in the source folder that Sphinx reads as a page, sorted."""
    suffixes = tuple(app.config.source_suffix)
    return sorted(
        p for p in Path(app.srcdir).rglob("*") if p.is_file() and p.name.endswith(suffixes)
    )


def _forget(app: Any) -> None:
    # A build starts from what the files and the installed distributions are now.
    for remembered in (_spec, _is_module, _imports_of, _code_of, installed_versions, _fingerprint):
        remembered.cache_clear()


def _fingerprints(app: Any, paths: Iterable[Path]) -> dict[Path, str]:
    """Each page's fingerprint, by the path of its source."""
    package = app.config.xentropy_watch_package
    if importlib.util.find_spec(package) is None:
        raise ModuleNotFoundError(f"xentropy_watch_package: no package named {package!r}")
    versions = installed_versions()
    return {p: fingerprint(page_code(p), package, versions) for p in paths}


def _outdated_pages(
    app: Any, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    paths = {docname: Path(env.doc2path(docname)) for docname in env.found_docs}
    current = _fingerprints(app, paths.values())
    previous = getattr(env, "xentropy_fingerprints", {})
    env.xentropy_fingerprints = {docname: current[path] for docname, path in paths.items()}
    stale = [
        docname
        for docname in sorted(env.found_docs - added - changed)
        if previous.get(docname) != env.xentropy_fingerprints[docname]
    ]
    if stale:
        _log(f"the code these pages import changed; reading again: {', '.join(stale)}")
    return stale


def _prune_cache(app: Any) -> None:
    from jupyter_cache import get_cache

    config = getattr(app.env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    cache_dir = Path(config.execution_cache_path)
    # Opening the cache creates its database. Done here, before the pages are
    # read in parallel: with an empty cache, every parallel reader would create
    # the tables at once and all but one fail ("table settings already exists").
    cache = get_cache(cache_dir)
    stamp = cache_dir / STAMP_NAME
    recorded = json.loads(stamp.read_text()) if stamp.is_file() else {}
    current = {str(p.resolve()): f for p, f in _fingerprints(app, source_files(app)).items()}
    for record in cache.list_cache_records():
        uri = str(Path(record.uri).resolve())
        if recorded.get(uri) is None or recorded[uri] != current.get(uri):
            cache.remove_cache(record.pk)
            _log(f"the code {record.uri} imports changed; dropped its cached outputs")
    # Written before the pages execute: a page executed in this build runs the
    # code fingerprinted here, and a change made during the build changes the
    # fingerprint again, so the next build executes it once more.
    stamp.write_text(json.dumps(current, indent=0, sort_keys=True))
    cache.db.dispose()


def setup(app: Any) -> None:
    """Connect the cache checks to Sphinx's events."""
    app.add_config_value("xentropy_watch_package", "xentropy", "env", str)
    app.connect("builder-inited", _forget, priority=100)
    app.connect("env-get-outdated", _outdated_pages)
    # After MyST-NB's own builder-inited handler, which resolves the cache path.
    app.connect("builder-inited", _prune_cache, priority=900)
