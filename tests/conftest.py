"""What the numeric tests share: the high-precision reference, strict floating point, Hypothesis.

The reference computes, with mpmath at 60 significant digits, what the NumPy
core computes in float64, using formulas without cancellation: the logits
z = Xw + b summed exactly from the float inputs, σ(z) = 1/(1 + exp(-z)),
ℓ(z, y) = log1p(exp(-|z|)) + max(z, 0) - y z, and the residual σ(z) - y as
σ(z) or -σ(-z) for hard labels and (1/2 - y) + tanh(z/2)/2 for soft ones (the
direct difference would lose what is being measured: σ(1e-300) - 0.5 is
2.5e-301, but σ(1e-300) rounds to 0.5 even at 60 digits). The naive
formula, evaluated at 60 digits, would itself be wrong near |z| = 100.

Hypothesis's profiles are registered in the conftest.py at the root of the repository.
"""

from __future__ import annotations

import ast
import fcntl
import functools
import json
import math
import os
import random
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import AbstractContextManager
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import mpmath
import numpy as np
import pytest
import sympy as sp

from xentropy.derivation import Derivation
from xentropy.derivation import StepError
from xentropy.symbolic import catalog

DIGITS = 60
EPS = float(np.finfo(np.float64).eps)
#: The smallest normal float: the contract's allowance where a result underflows.
TINY = float(np.finfo(np.float64).tiny)


def _mp(x: float) -> mpmath.mpf:
    return mpmath.mpf(float(x))


def ref_logits(w, b, X) -> list[mpmath.mpf]:
    """z = Xw + b, summed exactly (mpmath.fsum of exact products)."""
    with mpmath.workdps(DIGITS):
        return [
            mpmath.fsum([*(_mp(x) * _mp(v) for x, v in zip(row, w, strict=True)), _mp(b)])
            for row in np.asarray(X, dtype=float)
        ]


def ref_sigmoid(z) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        return 1 / (1 + mpmath.exp(-_mp(z) if not isinstance(z, mpmath.mpf) else -z))


def ref_loss(z, y: float) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        z = z if isinstance(z, mpmath.mpf) else _mp(z)
        # The linear part first: added to the logarithm one term at a time, it
        # would absorb a logarithm below 2^-200 of it before cancelling.
        linear = max(z, 0) - _mp(y) * z
        return mpmath.log1p(mpmath.exp(-abs(z))) + linear


def ref_residual(z, y: float) -> mpmath.mpf:
    with mpmath.workdps(DIGITS):
        z = z if isinstance(z, mpmath.mpf) else _mp(z)
        if y == 0:
            return 1 / (1 + mpmath.exp(-z))
        if y == 1:
            return -1 / (1 + mpmath.exp(z))
        if abs(z) < 1:
            # σ(z) is within 1/4 of 1/2: σ(1e-300) - 1/2 is 2.5e-301, lost if σ is rounded first.
            return (mpmath.mpf(0.5) - _mp(y)) + mpmath.tanh(z / 2) / 2
        # Far from 0, tanh(z/2) rounds to ±1 at 60 digits (e^{-256} is 1e-111) and the form
        # above would lose σ(z) or 1 - σ(z) altogether; each is formed here to its own digits.
        return (1 - _mp(y)) / (1 + mpmath.exp(-z)) - _mp(y) / (1 + mpmath.exp(z))


def error_in_eps(ours: float, exact: mpmath.mpf) -> float:
    """|ours - exact| / |exact| in units of eps; results that underflow get TINY of slack.

    The slack is the contract's allowance (docs/numbers.md, section 3): below
    the smallest normal float the spacing of floats is fixed, not relative.
    """
    with mpmath.workdps(DIGITS):
        difference = abs(_mp(ours) - exact)
        if abs(exact) < TINY:
            difference = max(difference - TINY, 0)
        if difference == 0:
            return 0.0
        if exact == 0:
            return float("inf")
        return float(difference / abs(exact)) / EPS


@dataclass(frozen=True)
class Exact:
    """The exact cost and gradient of one problem, and the error each computed value may have."""

    cost: mpmath.mpf
    gradient: list[mpmath.mpf]  # the weights, then the bias
    residuals: np.ndarray  # rounded to floats: they only size the error bounds
    cost_bound: float  # in eps, relative
    scale: np.ndarray  # S_j, for the weights and then the bias
    n: int
    propagated: float  # the part of cost_bound due to the rounding of z, times C

    def cost_allowance(self, n: int | None = None) -> float:
        """``cost_bound`` as an absolute error (for n rows, if not this problem's), plus TINY."""
        n = self.n if n is None else n
        with mpmath.workdps(DIGITS):
            relative = float((4 + math.log2(n)) * EPS * self.cost)
        return relative + self.propagated * EPS + TINY

    def cost_error(self, ours: float) -> float:
        """The relative error of a computed cost, in eps; must not exceed ``cost_bound``."""
        return error_in_eps(ours, self.cost)

    def gradient_error(self, grad_w, grad_b) -> np.ndarray:
        """|computed - exact| / S_j for each weight and the bias, in eps; the contract is 64.

        Gradual underflow adds up to half the smallest subnormal per operation
        whatever the scale; 64 of those are allowed on top (they matter only
        when S_j itself is subnormal).
        """
        subnormal = 64 * 2.0**-1074
        errors = []
        with mpmath.workdps(DIGITS):
            for ours, exact, s in zip([*grad_w, grad_b], self.gradient, self.scale, strict=True):
                difference = max(abs(_mp(ours) - exact) - subnormal, 0)
                if difference == 0:
                    errors.append(0.0)
                else:
                    errors.append(float(difference / _mp(s)) / EPS if s > 0 else math.inf)
        return np.array(errors)


def exact(w, b, X, y) -> Exact:
    """Everything the reference knows about the problem (w, b, X, y), remembered for the last
    few problems (a property puts each example to both passes of the package).

    ``cost_bound`` is docs/numbers.md's (4 + log2 n) eps once z is formed,
    plus what the rounding of z = Xw + b costs: k + 1 products and sums, each
    off by at most eps (Σ_m |X_im| |w_m| + |b|), moving ℓ_i by |r_i| times
    that. With z formed exactly (X a column, w = [1], b = 0) that part is zero.

    ``scale`` is S_j = Σ_i |X_ij| (|r_i| + (Σ_m |X_im| |w_m| + |b|) / 4) / n,
    with X_ij = 1 for the bias: the size of the terms of ∂C/∂θ_j plus the effect
    of the rounding of z (whose slope through σ is at most 1/4). A component
    that is small because its terms cancel is measured against their size.
    """
    X, w, y = (np.asarray(a, dtype=float) for a in (X, w, y))
    return _exact(X.shape, X.tobytes(), w.tobytes(), float(b), y.tobytes())


@functools.lru_cache(maxsize=8)
def _exact(
    shape: tuple[int, int], X_bytes: bytes, w_bytes: bytes, b: float, y_bytes: bytes
) -> Exact:
    X = np.frombuffer(X_bytes).reshape(shape)
    w, y = np.frombuffer(w_bytes), np.frombuffer(y_bytes)
    n, k = X.shape
    z = ref_logits(w, b, X)
    with mpmath.workdps(DIGITS):
        C = mpmath.fsum(ref_loss(zi, yi) for zi, yi in zip(z, y, strict=True)) / n
        r = [ref_residual(zi, yi) for zi, yi in zip(z, y, strict=True)]
        grad = [
            mpmath.fsum(_mp(x) * ri for x, ri in zip(X[:, j], r, strict=True)) / n for j in range(k)
        ]
        grad.append(mpmath.fsum(r) / n)
        r = np.array([float(ri) for ri in r])
        with np.errstate(over="ignore"):
            size_of_z = np.abs(X) @ np.abs(w) + abs(b)
            per_row = np.abs(r) + size_of_z / 4
            scale = np.column_stack([np.abs(X), np.ones(n)]).T @ (per_row / n)
        exactly_formed = k == 1 and w[0] == 1 and b == 0
        propagated = 0.0 if exactly_formed else (k + 1) * float(np.sum(np.abs(r) * size_of_z)) / n
        bound = 4 + math.log2(n) + (float(propagated / C) if C > 0 else math.inf)
    return Exact(C, grad, r, bound, scale, n, propagated)


@pytest.fixture(scope="session")
def reference() -> SimpleNamespace:
    """The 60-digit reference functions, for tests in any module of this folder."""
    return SimpleNamespace(
        logits=ref_logits,
        sigmoid=ref_sigmoid,
        loss=ref_loss,
        residual=ref_residual,
        exact=exact,
        error_in_eps=error_in_eps,
        DIGITS=DIGITS,
        EPS=EPS,
        TINY=TINY,
    )


@pytest.fixture
def strict_floating_point() -> Iterator[None]:
    """Turn overflow, invalid operations and division by zero into errors; underflow is fine."""
    with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        yield


@pytest.fixture(scope="session")
def require_tools() -> Callable[..., None]:
    """Skip a test whose Debian tools are missing, saying how to install them; fail under CI.

    .ci/run installs every package in .ci/system-packages, so in CI (``CI`` set) a
    missing tool is a broken set-up, never a reason to skip.
    """

    def require(*tools: str, purpose: str) -> None:
        missing = [tool for tool in tools if shutil.which(tool) is None]
        if not missing:
            return
        reason = (
            f"{purpose} needs {', '.join(missing)}; install the Debian packages with "
            "apt-get install --no-install-recommends $(grep -v '^#' .ci/system-packages)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI installs them, so this must run)")
        pytest.skip(reason)

    return require


# --- What the book says of the tests --------------------------------------------------


@functools.cache
def _page_constants(page: str) -> dict[str, object]:
    from myst_nb.core.read import read_myst_markdown_notebook

    path = ROOT / "docs" / f"{page}.md"
    notebook = read_myst_markdown_notebook(path.read_text(encoding="utf-8"), path=path)
    constants: dict[str, object] = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target, value = node.targets[0], node.value
            pairs = [(target, value)]
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
                pairs = list(zip(target.elts, value.elts, strict=True))
            for name, literal in pairs:
                if isinstance(name, ast.Name) and name.id.isupper():
                    try:
                        constants[name.id] = ast.literal_eval(literal)
                    except ValueError:
                        continue  # computed, not stated
    return constants


@pytest.fixture(scope="session")
def page_constants() -> Callable[[str], dict[str, object]]:
    """``page_constants(page)``: the constants that ``docs/PAGE.md`` states in its code cells
    (``NAME = literal`` and ``A, B = a, b`` at the top level, read with MyST-NB's own reader),
    for the tests to check that what the book says of them is what they do."""
    return _page_constants


# --- The mistakes every gradient check must catch --------------------------------------


@pytest.fixture(scope="session")
def usual_mistakes() -> Callable[..., dict[str, Callable[..., tuple[np.ndarray, ...]]]]:
    """``usual_mistakes(right, entry)``: the contract's deliberately wrong gradients, each made
    from the correct gradient function ``right`` (called with the parameters, then X and the
    labels; X is the second to last argument, the bias's gradient the last output):
    ``forgot_the_mean`` (1/n dropped), ``flipped_sign``, ``no_bias_gradient`` (the last
    output zero) and ``one_entry_one_percent_off`` (output ``entry[0]`` at index ``entry[1]``
    scaled by 1.01)."""

    def make(right: Callable, entry: tuple[int, tuple[int, ...]]) -> dict[str, Callable]:
        def forgot_the_mean(*args):
            n = np.shape(args[-2])[0]
            return tuple(n * np.asarray(g) for g in right(*args))

        def flipped_sign(*args):
            return tuple(-np.asarray(g) for g in right(*args))

        def no_bias_gradient(*args):
            *rest, bias = right(*args)
            return (*rest, np.zeros_like(bias))

        def one_entry_one_percent_off(*args):
            gradients = [np.array(g, dtype=np.float64) for g in right(*args)]
            output, index = entry
            gradients[output][index] *= 1.01
            return tuple(gradients)

        made = (forgot_the_mean, flipped_sign, no_bias_gradient, one_entry_one_percent_off)
        return {f.__name__: f for f in made}

    return make


# --- A derived gradient against the cost itself, at 40 digits ---------------------------


@pytest.fixture(scope="session")
def matches_finite_differences() -> Callable[..., None]:
    """``check(result, where, loss, n, k, seed)``: assert that ``result``, a derived ∂C/∂w_j of
    the one neuron (with the definitions ``where``), equals for every feature j the central
    difference of the mean of ``loss(a, y)`` over n seeded examples of k features, all at 40
    digits: independent of SymPy's differentiation."""
    from xentropy import notation as N
    from xentropy.derivation import evaluate
    from xentropy.derivation import expand_definitions

    def check(result: sp.Basic, where, loss: Callable, n: int, k: int, seed: int) -> None:
        rng = random.Random(seed)
        with mpmath.workdps(40):
            X = [[mpmath.mpf(rng.uniform(-2, 2)) for _ in range(k)] for _ in range(n)]
            y = [mpmath.mpf(rng.choice([0, 1, 0.3])) for _ in range(n)]
            w = [mpmath.mpf(rng.uniform(-1, 1)) for _ in range(k)]
            b = mpmath.mpf(rng.uniform(-1, 1))
            values = {N.b: b} | {N.y[r + 1]: y[r] for r in range(n)}
            values |= {N.x[r + 1, c + 1]: X[r][c] for r in range(n) for c in range(k)}
            values |= {N.w[c + 1]: w[c] for c in range(k)}

            def cost(weights: list) -> mpmath.mpf:
                total = mpmath.mpf(0)
                for row, label in zip(X, y, strict=True):
                    z = mpmath.fsum(p * q for p, q in zip(weights, row, strict=True)) + b
                    total += loss(1 / (1 + mpmath.exp(-z)), label)
                return total / n

            h = mpmath.mpf("1e-12")
            derived = expand_definitions(result, where)
            for feature in range(1, k + 1):
                concrete = evaluate(N.at_sizes(derived, {N.j: feature, N.n: n, N.k: k}))
                got = concrete.rewrite(sp.exp).evalf(40, subs=values)
                up, down = list(w), list(w)
                up[feature - 1] += h
                down[feature - 1] -= h
                expected = (cost(up) - cost(down)) / (2 * h)
                assert abs(got - sp.Float(expected, 40)) < 1e-20, feature

    return check


# --- The book's derivations, each built (and so checked) once per session ---------------


@pytest.fixture(scope="session")
def built() -> Callable[[str], Derivation]:
    """``built(name)``: the derivation of the book registered as ``name``, built once."""
    return functools.cache(catalog.build)


@pytest.fixture(scope="session")
def rejects(built: Callable[[str], Derivation]) -> Callable[[str, int, sp.Basic], None]:
    """``rejects(name, number, wrong)``: assert that the derivation ``name`` with step ``number``
    replaced by ``wrong`` raises :class:`StepError` naming the derivation, the step and its reason,
    and showing the wrong line."""

    def check(name: str, number: int, wrong: sp.Basic) -> None:
        d = built(name)
        reason = next(s.reason for s in d.steps if s.number == number)
        with pytest.raises(StepError) as caught:
            d.with_step(number, wrong)
        message = str(caught.value)
        assert message.startswith(f"derivation {name!r}, step {number} ({reason}):")
        assert sp.sstr(wrong) in message

    return check


# --- The book, built once for every test that reads it ---------------------------------

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Run:
    """A finished command: its exit status and output; printed whole in a failed assertion."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"

    # A failed assertion shows the whole output, not a shortened repr.
    __repr__ = __str__


def run_make(*arguments: str, env: dict[str, str] | None = None) -> Run:
    """Run ``make`` at the root of the repository with ``arguments``; output is captured."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(ROOT), *arguments],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


@pytest.fixture(scope="session")
def make() -> Callable[..., Run]:
    """``make(target, VARIABLE=value ..., env=...)``: the Makefile, as a reader runs it."""
    return run_make


@contextmanager
def one_at_a_time(lock: Path) -> Iterator[None]:
    """Hold the lock file ``lock`` (the other test processes wait for it)."""
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


@dataclass(frozen=True)
class BookBuild:
    """The real book, built from scratch by ``make html`` once for the whole test run.

    Under pytest-xdist the first worker to need it builds it and the others wait for it: every
    test of the run reads the same build. :meth:`exclusive` is held by whatever builds into
    its folder (the PDF, a rebuild), so that no two builds there overlap.
    """

    folder: Path  # the BUILDDIR: html/, the execution cache, latex/ once make pdf ran
    output: str  # what the build printed, standard output then standard error

    @property
    def html(self) -> Path:
        return self.folder / "html"

    def exclusive(self) -> AbstractContextManager[None]:
        return one_at_a_time(self.folder.parent / "book.lock")

    def once(self, name: str, make: Callable[[], str]) -> str:
        """``make()``'s text, computed by the first test process to ask for ``name``."""
        record = self.folder.parent / f"book-{name}.txt"
        with self.exclusive():
            if not record.exists():
                record.write_text(make(), encoding="utf-8")
        return record.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def book_build(tmp_path_factory: pytest.TempPathFactory) -> BookBuild:
    """A cold build of the book, never the developer's ``_build/``, made once per test run."""
    base = tmp_path_factory.getbasetemp()
    # pytest-xdist gives each worker a folder of its own inside the run's
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    book = BookBuild(shared / "book", "")

    def build() -> str:
        result = run_make("html", f"BUILDDIR={book.folder}")
        return json.dumps([result.returncode, result.stdout, result.stderr])

    returncode, stdout, stderr = json.loads(book.once("html", build))
    result = Run(returncode, stdout, stderr)
    assert result.returncode == 0, result
    return BookBuild(book.folder, result.output)


@pytest.fixture(scope="session")
def built_book(book_build: BookBuild) -> Path:
    """The HTML of the cold build."""
    return book_build.html


FRONT_MATTER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


@pytest.fixture(scope="session")
def write_pages() -> Callable[[Path, dict[str, str]], Path]:
    """``write_pages(folder, pages)``: a throwaway book, ``index.md`` with a toctree of ``pages``
    (name to MyST body, dedented), each page a notebook; returns ``folder``."""

    def write(folder: Path, pages: dict[str, str]) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        toctree = "\n".join(pages)
        (folder / "index.md").write_text(f"# Throwaway book\n\n```{{toctree}}\n{toctree}\n```\n")
        for name, body in pages.items():
            (folder / f"{name}.md").write_text(FRONT_MATTER + textwrap.dedent(body))
        return folder

    return write
