"""Offer every executed page as a Jupyter notebook, and the package that runs it.

MyST-NB writes each executed page to ``<builddir>/jupyter_execute/<page>.ipynb``.
sphinx-book-theme lists a page's ``.ipynb`` in its download menu only when
launch buttons (Binder, Colab...) are configured, which an offline book has no
use for. This copies the executed notebook next to the page's source in
``_sources/`` and tells the theme, so the menu offers ``.md`` and ``.ipynb``.
Its cells are numbered ``cell-1``, ``cell-2``, ... on the way: MyST-NB gives
them random ids, and the notebook would otherwise differ in every build.

A notebook needs the package to run, so the book carries it: the HTML build puts
the wheel of the package that built it next to ``index.html`` (built by setuptools,
the build backend pip would call, from the same source, with the commit's date, so
two builds give the same bytes), and
each notebook's first cell says how to install it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_SOURCE = Path(__file__).resolve().parents[1]  # src/xentropy
_PROJECT = _SOURCE.parents[1]  # where pyproject.toml is


def wheel_name(version: str) -> str:
    """The file name of the package's wheel: pure Python, any platform."""
    return f"xentropy-{version}-py3-none-any.whl"


def install_note(version: str) -> str:
    """The first cell of every downloadable notebook: what it is and how to run it."""
    return (
        f"This notebook is a page of the book *Cross-entropy, derived and checked*, version "
        f"{version}. To run it, install the package that built the book, which the book "
        f"carries next to its front page (`index.html`): in the book's folder, run\n\n"
        f'    pip install "{wheel_name(version)}[book]"\n\n'
        "(`[book]` adds what the pages use: Jupyter's kernel, MyST-NB, Matplotlib, autograd). "
        "The same package checks a derivation of your own: `python -m xentropy check FILE`."
    )


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
    notebook.cells.insert(0, nbformat.v4.new_markdown_cell(install_note(app.config.release)))
    for number, cell in enumerate(notebook.cells, start=1):
        cell.id = f"cell-{number}"
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


# The hook pip calls to build a wheel (PEP 517), called as ``pip wheel --no-build-isolation``
# would, in a process of its own: the book's environment has setuptools but no pip.
_BUILD = "import sys, setuptools.build_meta as backend; backend.build_wheel(sys.argv[1])"


def build_wheel(folder: Path, version: str) -> Path:
    """Build the package's wheel into ``folder`` with its build backend, from a copy of its
    source.

    The copy keeps the backend's build files out of the working tree. Raises ``RuntimeError``
    with the backend's output if the build fails, or if it built another version than
    ``version``.
    """
    with tempfile.TemporaryDirectory(prefix="xentropy-wheel-") as scratch:
        copy = Path(scratch) / "xentropy"
        copy.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(_PROJECT / name, copy / name)
        ignored = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
        shutil.copytree(_SOURCE, copy / "src" / "xentropy", ignore=ignored)
        command = [sys.executable, "-c", _BUILD, str(folder.resolve())]
        built = subprocess.run(command, cwd=copy, capture_output=True, text=True, check=False)
        if built.returncode != 0:
            raise RuntimeError(
                f"setuptools could not build the wheel:\n{built.stdout}{built.stderr}"
            )
    wheel = folder / wheel_name(version)
    if not wheel.is_file():
        built_names = sorted(p.name for p in folder.iterdir())
        raise RuntimeError(f"setuptools built {built_names}, not {wheel.name}")
    return wheel


def _carry_wheel(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    # a build takes seconds; a wheel of the same source and date is kept and copied instead
    digest = hashlib.sha256(os.environ.get("SOURCE_DATE_EPOCH", "").encode())
    for path in sorted(
        [_PROJECT / "pyproject.toml", _PROJECT / "README.md", *_SOURCE.rglob("*.py")]
    ):
        digest.update(str(path.relative_to(_PROJECT)).encode() + b"\0" + path.read_bytes())
    kept = Path(tempfile.gettempdir()) / f"xentropy-wheel-{digest.hexdigest()[:20]}"
    wheel = kept / wheel_name(app.config.release)
    if not wheel.is_file():
        with tempfile.TemporaryDirectory(prefix="xentropy-wheelhouse-") as folder:
            built = build_wheel(Path(folder), app.config.release)
            kept.mkdir(exist_ok=True)
            partial = kept / f"{wheel.name}.{os.getpid()}.part"
            shutil.copyfile(built, partial)
            partial.replace(wheel)  # whole or not at all, for builds that run side by side
    shutil.copyfile(wheel, Path(app.outdir) / wheel.name)


def setup(app: Any) -> None:
    """Connect before sphinx-book-theme builds its header buttons (priority 501); carry the
    wheel when the HTML is written."""
    app.connect("html-page-context", _offer_notebook, priority=500)
    app.connect("build-finished", _carry_wheel)
