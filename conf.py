"""Sphinx configuration for the xentropy book.

Sphinx reads this file at the repository root (``-c .``); the pages live in
``docs/``. Every page is a MyST Markdown notebook executed by MyST-NB.
"""

import os
import sys
from pathlib import Path

import xentropy
from xentropy.sphinxext.provenance import commit_epoch

ROOT = Path(__file__).resolve().parent

project = "xentropy"
author = "The xentropy authors"
copyright = "2026, The xentropy authors"
version = release = xentropy.__version__

extensions = [
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_design",
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
    "sphinx_proof",
    "sphinx_exercise",
    "xentropy.sphinxext",
]

bibtex_bibfiles = ["docs/references.bib"]
# Entries labelled "Author, year", and the text cites by that label: the reader matches a
# citation to its entry at a glance (xentropy.sphinxext.bibliography).
bibtex_default_style = "xentropy"
bibtex_reference_style = "label"

root_doc = "index"
exclude_patterns = ["_build", "**.ipynb_checkpoints", ".venv"]
nitpicky = True

# Equations are numbered per chapter, (2.3) for the third of chapter 2, so a
# citation names one equation of the book; numbers follow the toctree order.
numfig = True
math_numfig = True
numfig_secnum_depth = 1
math_eqref_format = "({number})"

# --- MyST -----------------------------------------------------------------
myst_enable_extensions = [
    "amsmath",
    "colon_fence",
    "deflist",
    "dollarmath",
    "substitution",
]
myst_heading_anchors = 3

# --- Execution ------------------------------------------------------------
# Pages are executed once and cached; xentropy.sphinxext drops the cached
# outputs of pages that import the package whenever its code changes.
nb_execution_mode = "cache"
nb_execution_timeout = 300
nb_execution_raise_on_error = True  # a cell that raises fails the build
nb_execution_show_tb = True  # ...and its traceback is printed in the terminal
nb_merge_streams = True
# Widgets are not used; MyST-NB would otherwise be free to add their CDN scripts.
nb_ipywidgets_js = {}


# --- Reproducible builds (make repro checks them) -------------------------
# Two builds of one commit give byte-identical HTML. Dates come from the commit,
# not the clock: Sphinx's copyright year and |today|, and the date Matplotlib
# writes into SVG and PDF figures. The page kernels inherit this environment:
# a fixed hash seed gives sets and dicts of strings one iteration order, and
# matplotlibrc fixes the salt of the element ids in SVG figures.
if "SOURCE_DATE_EPOCH" not in os.environ and (_epoch := commit_epoch(ROOT)):
    os.environ["SOURCE_DATE_EPOCH"] = _epoch
os.environ.setdefault("PYTHONHASHSEED", "0")
os.environ["MATPLOTLIBRC"] = str(ROOT / "matplotlibrc")


# --- HTML -----------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_title = "Cross-entropy, derived and checked"
html_static_path = ["docs/_static"]
html_last_updated_fmt = None
# The colour mode a first visit starts in (light or dark, following the system);
# left unset, the theme logs "Got invalid theme mode" in every reader's console.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": True,
    "use_fullscreen_button": False,
    "navigation_with_keys": False,
}

# MathJax 4 served from the book itself, so no page loads anything from another host.
# make venv installs it with npm (package-lock.json) and stages what the pages load in
# the environment that runs Sphinx; relative to conf.py, so the configuration (and
# .buildinfo's hash of it) is the same in every checkout.
_STATIC_ASSETS = Path(sys.prefix) / "share" / "xentropy" / "static"
if not (_STATIC_ASSETS / "mathjax" / "tex-chtml.js").is_file():
    raise RuntimeError(f"MathJax is not installed in {_STATIC_ASSETS}; run make venv")
html_static_path.append(os.path.relpath(_STATIC_ASSETS, ROOT))
mathjax_path = "mathjax/tex-chtml.js"
# MathJax 4 breaks a display that is wider than its column (and the reasons of a
# derivation, set in \text{}) instead of letting it run off the page, and in-line math
# at the end of a line. Formulas are not Tab stops, so a keyboard reaches the links
# and the folds; screen readers read the hidden MathML MathJax puts beside each
# formula. Speech and Braille (the speech rule engine, in a web worker) are off: a
# worker cannot start from file://, where the book must also work.
mathjax4_config = {
    "loader": {"paths": {"fonts": "[mathjax]/fonts"}},
    "output": {"displayOverflow": "linebreak", "linebreaks": {"inline": True}},
    "options": {
        "menuOptions": {
            "settings": {
                "inTabOrder": False,
                "assistiveMml": True,
                "enrich": False,
                "speech": False,
                "braille": False,
            }
        }
    },
}

copybutton_exclude = ".linenos, .gp, .go"
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
html_css_files = ["xentropy.css"]
html_js_files = ["eqpreview.js", "fit.js", "tables.js", "names.js"]
# The hint beside a fold of sphinx-togglebutton, and the start of its name (names.js).
togglebutton_hint = "Show"
togglebutton_hint_hide = "Hide"

# The interactive figures: their styles, and the small SVG plot that draws them. Each
# figure's script does nothing on a page without the figure.
html_css_files += ["interactive.css"]
html_js_files += ["svgplot.js", "trainer.js", "stepsize.js"]

# --- PDF (make pdf: Sphinx's LaTeX builder, then latexmk with XeLaTeX) ----
# XeLaTeX reads the prose's Unicode (σ, ∂, Σ) directly; fonts are Debian's
# fonts-freefont-otf, Sphinx's default for XeLaTeX.
latex_engine = "xelatex"
latex_documents = [(root_doc, "xentropy.tex", html_title, author, "manual")]
latex_show_urls = "footnote"
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "extraclassoptions": "openany",  # chapters start on the next page, not the next odd one
    "preamble": r"\usepackage{amssymb}",
}
