"""Time the gradient of the cross-entropy cost against one read of its data, beside its peers.

For n examples of k features (10⁶ and 64 unless told), float64, every figure is a ratio to
the time of one product ``X @ w`` in the same round: one read of X by the BLAS on every core,
the least any method that uses all of X must do. Beside it:

* ``X.sum(axis=1)``, one read of X by NumPy on one core;
* the plain two-product formula, ``X.T @ (sigmoid(X @ w + b) - y) / n``, nothing checked;
* ``xentropy.gradient`` and ``xentropy.cost``, which validate their input and read X once,
  in a loop compiled by Numba (``xentropy.numeric.fused``) on every core;
* autograd's reverse-mode gradient of the cost;
* where they are installed (``pip install -e '.[bench]'``), scikit-learn's
  ``LinearModelLoss.loss_gradient`` with ``HalfBinomialLoss``, and JAX's
  ``jit(grad(...))`` of the mean of ``optax.sigmoid_binary_cross_entropy``; a peer that is
  not installed is skipped with a line that says so.

The machine is shared and noisy: every round times each contender once, in turn, each call
starting after the machine settled (``xentropy.timing.side_by_side``); what is printed is the
best time, the median over the rounds of the ratio to that round's ``X @ w``, and the spread of
that ratio (its quartiles). A second table times ``xentropy.gradient`` for small n through
the compiled pass and through the NumPy blocks it replaces (``xentropy.numeric.blocks``), which
sets where the compiled pass starts (``xentropy.numeric.blocks.FUSED_BYTES``). ``make bench``
runs this with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (they pin an older, slower OpenBLAS
kernel on this processor); the BLAS that runs, and its threads, are printed.

Usage: ``python benchmarks/gradient.py [--n N] [--k K] [--rounds R] [--small] [--block-sizes]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Callable

import autograd.numpy as anp
import numpy as np
from autograd import grad
from threadpoolctl import threadpool_info

import xentropy
from xentropy.numeric import blocks
from xentropy.timing import round_ratios, side_by_side

REFERENCE = "X @ w (BLAS, every core)"


def plain_formula(w, b, X, y):
    """The formula as the book derives it, with no check of anything."""
    r = xentropy.sigmoid(X @ w + b) - y
    return X.T @ r / len(y), float(np.mean(r))


def autograd_gradient(w, b, X, y):
    """Reverse-mode automatic differentiation of the cost, with respect to w and b."""

    def cost(w, b):
        z = anp.dot(X, w) + b
        return anp.mean(anp.logaddexp(0.0, z) - y * z)

    return grad(cost, argnum=(0, 1))(w, b)


def scikit_learn(w, b, X, y) -> Callable[[], object] | str:
    """scikit-learn's loss and gradient of the logistic model, or why it is not timed."""
    try:
        from sklearn._loss.loss import HalfBinomialLoss
        from sklearn.linear_model._linear_loss import LinearModelLoss
    except ImportError:
        return "scikit-learn is not installed"
    model = LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=True)
    coef = np.append(w, b)
    cores = blocks.workers()

    def run():
        return model.loss_gradient(coef, X, y, l2_reg_strength=0.0, n_threads=cores)

    _same_gradient("scikit-learn", run()[1], w, b, X, y)
    return run


def jax_optax(w, b, X, y) -> Callable[[], object] | str:
    """JAX's compiled gradient of the mean of optax's sigmoid cross-entropy, or why not."""
    try:
        import jax
        import jax.numpy as jnp
        import optax
    except ImportError:
        return "JAX or optax is not installed"
    jax.config.update("jax_enable_x64", True)

    def cost(parameters, X, y):
        w, b = parameters
        return jnp.mean(optax.sigmoid_binary_cross_entropy(X @ w + b, y))

    gradient = jax.jit(jax.grad(cost))
    arguments = ((jnp.asarray(w), jnp.asarray(b)), jnp.asarray(X), jnp.asarray(y))

    def run():
        return jax.block_until_ready(gradient(*arguments))

    grad_w, grad_b = run()  # compiled here, not in the timed calls
    _same_gradient("JAX", np.append(grad_w, grad_b), w, b, X, y)
    return run


def _same_gradient(peer: str, theirs, w, b, X, y) -> None:
    ours = np.append(*xentropy.gradient(w, b, X, y))
    if not np.allclose(theirs, ours, rtol=1e-9, atol=1e-12):
        raise SystemExit(f"{peer} computes another gradient: {theirs[:3]} ... != {ours[:3]} ...")


def blas() -> str:
    found = [
        f"{i['internal_api']} {i.get('version')} ({i.get('architecture')}), "
        f"{i['num_threads']} threads"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    return "; ".join(found) or "none found"


def problem(n: int, k: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    w = rng.normal(size=k) / np.sqrt(k)
    return w, 0.1, X, (rng.random(n) < 0.5).astype(float)


def table(times: dict[str, list[float]], reference: str) -> list[str]:
    """Per contender: best time, and the median and quartiles over the rounds of its ratio."""
    ratios = round_ratios(times, reference)
    lines = [f"  {'':<44}{'best':>10}{'÷ ' + reference.split(' (')[0]:>12}{'quartiles':>14}"]
    for name, seconds in times.items():
        low, median, high = statistics.quantiles(ratios[name], n=4, method="inclusive")
        best = min(seconds) * 1e3
        lines.append(f"  {name:<44}{best:>7.1f} ms{median:>12.2f}{low:>8.2f}–{high:.2f}")
    return lines


def compare(n: int, k: int, rounds: int) -> list[str]:
    w, b, X, y = problem(n, k)
    xentropy.gradient(w, b, X, y)  # Numba imported and the loops loaded here, not in a round
    xentropy.cost(w, b, X, y)
    contenders: dict[str, Callable[[], object]] = {
        REFERENCE: lambda: X @ w,
        "X.sum(axis=1) (NumPy, one core)": lambda: X.sum(axis=1),
        "plain formula (two products, no checks)": lambda: plain_formula(w, b, X, y),
        "xentropy.gradient": lambda: xentropy.gradient(w, b, X, y),
        "xentropy.cost": lambda: xentropy.cost(w, b, X, y),
        "autograd grad of the cost": lambda: autograd_gradient(w, b, X, y),
    }
    skipped = []
    for name, peer in [
        ("scikit-learn LinearModelLoss.loss_gradient", scikit_learn),
        ("JAX jit(grad(optax sigmoid BCE mean))", jax_optax),
    ]:
        run = peer(w, b, X, y)
        if isinstance(run, str):
            skipped.append(f"  {name}: skipped, {run} (pip install -e '.[bench]')")
        else:
            contenders[name] = run
    return table(side_by_side(contenders, rounds), REFERENCE) + skipped


def small_inputs(k: int, rounds: int) -> list[str]:
    """xentropy.gradient for small n, through the compiled pass and through the NumPy blocks."""
    lines = [f"  {'n':>9}{'MiB':>7}{'compiled':>12}{'NumPy':>11}{'compiled ÷ NumPy':>19}"]
    threshold = blocks.FUSED_BYTES
    for n in (100, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000):
        w, b, X, y = problem(n, k)

        def run(fused_bytes: int, w=w, b=b, X=X, y=y) -> Callable[[], object]:
            def call() -> object:
                blocks.FUSED_BYTES = fused_bytes
                try:
                    return xentropy.gradient(w, b, X, y)
                finally:
                    blocks.FUSED_BYTES = threshold

            return call

        compiled, numpy_pass = run(0), run(2**62)
        compiled()  # Numba imported and the loop loaded here, not in the timed calls
        times = side_by_side({"compiled": compiled, "NumPy": numpy_pass}, rounds, 0.02)
        ratio = statistics.median(round_ratios(times, "NumPy")["compiled"])
        fast, slow = min(times["compiled"]) * 1e3, min(times["NumPy"]) * 1e3
        mib = X.nbytes / 2**20
        lines.append(f"  {n:>9}{mib:>7.2f}{fast:>9.3f} ms{slow:>8.3f} ms{ratio:>19.2f}")
    return lines


def block_sizes(n: int, k: int, rounds: int) -> list[str]:
    """xentropy.gradient with blocks of 0.5 to 8 MiB, side by side with X @ w."""
    w, b, X, y = problem(n, k)
    default = blocks.BLOCK_BYTES

    def with_blocks(size):
        def run():
            blocks.BLOCK_BYTES = size
            try:
                xentropy.gradient(w, b, X, y)
            finally:
                blocks.BLOCK_BYTES = default

        return run

    contenders = {REFERENCE: lambda: X @ w}
    for mib in (0.5, 1, 2, 4, 8):
        contenders[f"blocks of {mib} MiB"] = with_blocks(int(mib * 2**20))
    return table(side_by_side(contenders, rounds), REFERENCE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10**6, help="examples (rows of X)")
    parser.add_argument("--k", type=int, default=64, help="features (columns of X)")
    parser.add_argument("--rounds", type=int, default=9, help="rounds of timing")
    parser.add_argument("--no-small", action="store_true", help="skip the small-n table")
    parser.add_argument("--block-sizes", action="store_true", help="also time the block sizes")
    args = parser.parse_args()
    settings = ", ".join(
        f"{name} {os.environ.get(name, 'unset')}"
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS")
    )
    mib = args.n * args.k * 8 / 2**20
    print(f"The gradient, n = {args.n}, k = {args.k}, float64 ({mib:.0f} MiB)")
    print(f"  cores: {os.cpu_count()} on the machine, {blocks.workers()} for this process")
    print(f"  BLAS: {blas()}; {settings}")
    print(f"  {args.rounds} rounds, the contenders timed in turn in each round")
    print("\n".join(compare(args.n, args.k, args.rounds)))
    if not args.no_small:
        print(f"\nSmall n, k = {args.k}: xentropy.gradient through the compiled pass and the")
        print(
            f"NumPy blocks (best of {args.rounds}); the compiled pass starts at "
            f"{blocks.FUSED_BYTES / 2**20:g} MiB, and both share X among "
            f"{blocks.workers()} threads from {blocks.PARALLEL_BYTES / 2**20:g} MiB"
        )
        print("\n".join(small_inputs(args.k, args.rounds)))
    if args.block_sizes:
        default = blocks.BLOCK_BYTES / 2**20
        print(f"\nxentropy.gradient by block size (the default is {default:g} MiB)")
        print("\n".join(block_sizes(args.n, args.k, args.rounds)))


if __name__ == "__main__":
    main()
