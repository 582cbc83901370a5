# The xentropy book: `make html` builds it, `make test` checks it. Each target
# first sets up .venv (again whenever pyproject.toml, requirements.lock or
# package-lock.json change).

PYTHON     ?= python3
VENV       ?= .venv
SOURCEDIR  ?= docs
BUILDDIR   ?= _build
JOBS       ?= auto
SPHINXOPTS ?=
PYTESTOPTS ?=
PORT       ?= 8000
BASEURL    ?=

PY     := $(VENV)/bin/python
# uv installs the pinned packages (pip only installs uv, pinned too): it fetches and unpacks
# them in parallel, and took 10-20 s where pip took two minutes. It hard-links from its cache
# (5 s for the whole environment; copying took 10 s); on a cache on another disk it copies.
UV     := UV_LINK_MODE=hardlink $(VENV)/bin/uv
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
# MathJax 4 (npm, pinned by package-lock.json), installed into .venv with the Python
# packages; only what the book's pages load is staged here, and conf.py serves it.
MATHJAX := $(VENV)/share/xentropy/static/mathjax
# Warnings are errors, every reference must resolve, every error is reported
# before the build stops, tracebacks are shown in full, pages execute in parallel.
SPHINXFLAGS := -W --keep-going -n -T -j $(JOBS) $(if $(BASEURL),-D html_baseurl=$(BASEURL))

# Python caches compiled modules (and pytest its rewritten test modules) in the
# git-ignored __pycache__ folders, even where the environment asks it not to:
# compiling them afresh costs every test process and page kernel seconds.
export PYTHONDONTWRITEBYTECODE :=

.DEFAULT_GOAL := help
.PHONY: help html pdf check test test-narrowed repro bench serve lint clean distclean lock venv

help: ## List the targets
	@echo "Set-up and build happen on first use of any target; you need Python 3.11+ and make."
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: $(STAMP) ## Create .venv with the pinned dependencies

# Set-up: an environment without pip (8 s saved), then its parts side by side: uv, installed
# into it by the pip of $(PYTHON) (by pip installed into it if $(PYTHON) has none, or one older
# than 22.3), and beside it MathJax from npm; once uv is in, the Python packages; once they are
# in, the compiled loops (xentropy.numeric.fused, 5 s) and the bytecode of every module a build
# imports (tools/compile_imports.py: 11 s that the first build spent before reading its first
# page).
$(STAMP): pyproject.toml $(LOCK) package.json package-lock.json
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "xentropy needs Python 3.11 or newer; run make PYTHON=python3.x"; exit 1; }
	rm -rf $(VENV)
	$(PYTHON) -m venv --without-pip $(VENV)
	@$(MAKE) --no-print-directory --jobs=3 --output-sync=target \
	  $(VENV)/.packages $(VENV)/.loops $(VENV)/.bytecode $(VENV)/.mathjax
	touch $@

# The parts of set-up (only $(STAMP)'s recipe asks for them, in a fresh $(VENV)).
$(VENV)/.uv:
	@if $(PYTHON) -m pip --python $(PY) --version >/dev/null 2>&1; then \
	  echo "$(PYTHON) -m pip --python $(PY) install --quiet --constraint $(LOCK) uv"; \
	  $(PYTHON) -m pip --python $(PY) install --quiet --constraint $(LOCK) uv; \
	else \
	  echo "$(PY) -m ensurepip && $(PY) -m pip install --quiet --constraint $(LOCK) uv"; \
	  $(PY) -m ensurepip --default-pip >/dev/null && \
	  $(PY) -m pip install --quiet --constraint $(LOCK) uv; \
	fi
	touch $@

$(VENV)/.packages: $(VENV)/.uv
	$(UV) pip install --quiet --python $(PY) --constraint $(LOCK) setuptools
	$(UV) pip install --quiet --python $(PY) --constraint $(LOCK) --no-build-isolation \
	  --editable '.[dev]'
	touch $@

$(VENV)/.loops: $(VENV)/.packages
	@echo "Compiling the numeric loops (xentropy.numeric.fused) into __pycache__"
	$(PY) -c 'from xentropy.numeric import fused; fused.prepare()'
	touch $@

$(VENV)/.bytecode: $(VENV)/.packages
	$(PY) tools/compile_imports.py
	touch $@

$(VENV)/.mathjax:
	cp package.json package-lock.json $(VENV)/
	npm ci --prefix $(VENV) --no-audit --no-fund --loglevel=error
	mkdir -p $(MATHJAX)/fonts/mathjax-newcm-font
	cd $(VENV)/node_modules/mathjax && cp -r LICENSE tex-chtml.js input a11y ui $(abspath $(MATHJAX))/
	cd $(VENV)/node_modules/@mathjax/mathjax-newcm-font && \
	  cp -r package.json chtml $(abspath $(MATHJAX))/fonts/mathjax-newcm-font/
	touch $@

html: $(STAMP) ## Execute every page and build the HTML book in _build/html
	$(PY) -m sphinx -b html -c . $(SOURCEDIR) $(BUILDDIR)/html $(SPHINXFLAGS) $(SPHINXOPTS)
	@echo "The book is in $(BUILDDIR)/html/index.html"

pdf: $(STAMP) ## Build the whole book as a PDF in _build/latex/xentropy.pdf (needs TeX Live, see README)
	$(PY) -m sphinx -M latexpdf $(SOURCEDIR) $(BUILDDIR) -c . $(SPHINXFLAGS) $(SPHINXOPTS)
	@echo "The PDF is $(BUILDDIR)/latex/xentropy.pdf"

# The fast tier: unit tests, doctests and property tests (fewer examples), on
# every core (the examples of one file share a namespace, so a file stays on one
# worker, see conftest.py); no book build, no browser, no TeX.
FAST := -m "not book and not tex and not slow" --ignore=tests/book --hypothesis-profile=quick \
  --numprocesses=auto --dist=loadfile

check: $(STAMP) ## The fast tier for every edit: unit, doc and property tests, no book build
	$(PY) -m pytest $(FAST) $(PYTESTOPTS)

test: $(STAMP) ## Everything: types, unit, property and doc tests, the whole book, browser, TeX, and the fast tier on narrowed SIMD
	$(PY) -m pytest --numprocesses=auto --dist=loadfile $(PYTESTOPTS)
	@$(MAKE) --no-print-directory test-narrowed

# NumPy's exp, log, tanh... are compiled for several vector widths and may differ
# in the last bit between them; OpenBLAS's threads change the order of sums. The
# fast tier again with NumPy held to its baseline kernels and BLAS to one thread,
# so a test that passes only on this CPU fails here (tools/narrow_dispatch.py).
# What SymPy and mpmath compute alone (the derivations, the checker of derivations) never meets
# NumPy's kernels or the BLAS, so the narrowed run leaves those tests out; tests/test_portability.py
# checks that none of them imports NumPy or the package's numeric side.
SYMPY_SIDE := tests/check tests/symbolic/test_costs.py tests/symbolic/test_network.py \
  tests/symbolic/test_neuron.py tests/symbolic/test_softmax.py tests/test_cli.py \
  tests/test_registry.py tests/test_derivation.py src/xentropy/symbolic src/xentropy/check

test-narrowed: $(STAMP) ## The fast tier again with NumPy's SIMD dispatch narrowed and BLAS on one thread
	@echo "Fast tier with NPY_DISABLE_CPU_FEATURES=\"$$($(PY) tools/narrow_dispatch.py)\" OPENBLAS_NUM_THREADS=1"
	NPY_DISABLE_CPU_FEATURES="$$($(PY) tools/narrow_dispatch.py)" OPENBLAS_NUM_THREADS=1 \
	  $(PY) -m pytest $(FAST) $(SYMPY_SIDE:%=--ignore=%) -p no:cacheprovider $(PYTESTOPTS)

repro: $(STAMP) ## Build the book twice from scratch and check the two builds are byte-identical
	rm -rf $(BUILDDIR)/repro
	$(MAKE) --no-print-directory html BUILDDIR=$(BUILDDIR)/repro/first
	$(MAKE) --no-print-directory html BUILDDIR=$(BUILDDIR)/repro/second
	$(PY) tools/compare_builds.py $(BUILDDIR)/repro/first/html $(BUILDDIR)/repro/second/html
	rm -rf $(BUILDDIR)/repro

# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE, where set, pin an older and slower
# OpenBLAS kernel; the gradient's benchmark unsets them (and prints the kernel).
bench: $(STAMP) ## Time the gradient against one read of its data, and the book's builds (minutes)
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE $(PY) benchmarks/gradient.py
	$(PY) benchmarks/build.py

serve: $(STAMP) ## Live preview on http://127.0.0.1:8000 (PORT=n for another port), rebuilt on every change
	$(VENV)/bin/sphinx-autobuild -c . $(SOURCEDIR) $(BUILDDIR)/html $(SPHINXFLAGS) \
	  --watch src --watch conf.py --port $(PORT) $(SPHINXOPTS)

lint: $(STAMP) ## Check the code with ruff, and its types with mypy (strict on the package)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

clean: ## Remove the built book and the execution cache
	rm -rf $(BUILDDIR)

distclean: clean ## Also remove .venv and the tools' caches
	rm -rf $(VENV) .pytest_cache .hypothesis .ruff_cache .mypy_cache src/*.egg-info

lock: ## Re-resolve the newest versions the ranges in pyproject.toml allow into requirements.lock
	rm -rf $(BUILDDIR)/lock-venv build
	$(PYTHON) -m venv $(BUILDDIR)/lock-venv
	$(BUILDDIR)/lock-venv/bin/python -m pip install --quiet --upgrade pip setuptools
	$(BUILDDIR)/lock-venv/bin/python -m pip install --quiet '.[dev]'
	{ echo "# Exact versions for make html and make test; regenerate with make lock."; \
	  $(BUILDDIR)/lock-venv/bin/python -m pip freeze --all --exclude-editable \
	    | grep -v -e '^xentropy' -e '^pip=='; } > $(LOCK)
	rm -rf $(BUILDDIR)/lock-venv build
