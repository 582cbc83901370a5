"""Import what a build of the book imports, so that Python compiles it to bytecode now.

A fresh environment has no bytecode: the first build compiled it as it went, in Sphinx's
main process (12 s before the first page was read) and in the first page kernels. Set-up
runs this beside its other steps instead, so that the build finds every module compiled.
What it imports: Sphinx, the extensions and the theme of ``conf.py``, Jupyter's kernel, and
every module the pages' code cells import. Importing nothing is run; only the modules'
top-level code, as any import would. Prints how many modules it imported and how long it
took.

    python tools/compile_imports.py
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What every build imports besides conf.py's extensions and the pages' code: Sphinx's
# command line and HTML builder, and what starts and serves each page's kernel.
BUILD = ("sphinx.cmd.build", "sphinx.builders.html", "ipykernel.kernelapp", "ipykernel.ipkernel")


def main() -> None:
    start = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import conf  # Sphinx's configuration, which imports the package
    from xentropy.sphinxext.cache import page_code, page_imports

    modules = {*BUILD, *conf.extensions, conf.html_theme}
    for page in sorted((ROOT / "docs").rglob("*.md")):
        modules |= page_imports(page_code(page))
    for name in sorted(modules):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as missing:
            if missing.name != name or "." not in name:
                raise  # a module the pages need is not installed
            # `from a import b` names a.b, which is a name in a, not a module of its own
    print(f"imported {len(sys.modules)} modules in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
