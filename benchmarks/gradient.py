"""Time the gradient of the cross-entropy cost against one read of the data.

For n examples of k features (10⁶ and 64 unless told), this times one read of
X (``X.sum(axis=1)``, NumPy on one core), the floor for anything that looks at
every number of X once, and four ways to get ∇C, each as a ratio to the read
(with one product ``X @ w``, a single pass of the BLAS at the memory's pace,
beside them for scale):

* the plain two-product formula, ``X.T @ (sigmoid(X @ w + b) - y) / n``;
* ``xentropy.gradient``, which validates its input and reads X once, in blocks;
* autograd's reverse-mode gradient of the cost, written in NumPy;
* a pure-Python loop over the examples, on a subsample, scaled to n rows.

The machine is shared and noisy: every round times each contender once, in
turn, and what is printed is the median over the rounds of the time and of the
ratio to that round's read (``xentropy.timing.side_by_side``, which also lets
the machine settle before each call). ``make bench`` runs this with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (they pin an older, slower
OpenBLAS kernel on this processor); the kernel that runs is printed when
threadpoolctl is installed.

Usage: ``python benchmarks/gradient.py [--n N] [--k K] [--rounds R] [--block-sizes]``.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics

import autograd.numpy as anp
import numpy as np
from autograd import grad

import xentropy
from xentropy.numeric import neuron
from xentropy.timing import median_ratios, side_by_side


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


def python_loop(w, b, X, y):
    """One example at a time, in plain Python floats."""
    n, k = len(X), len(w)
    grad_w, grad_b = [0.0] * k, 0.0
    for row, label in zip(X, y, strict=True):
        z = b + sum(x * v for x, v in zip(row, w, strict=True))
        r = 1.0 / (1.0 + math.exp(-z)) - label
        for j in range(k):
            grad_w[j] += row[j] * r / n
        grad_b += r / n
    return grad_w, grad_b


def report(times: dict[str, list], scale: dict[str, float], read: str) -> list[str]:
    """One line per contender: its median time and its median ratio to the same round's read."""
    times = {name: [t * scale.get(name, 1.0) for t in seconds] for name, seconds in times.items()}
    ratios = median_ratios(times, read)
    lines = [f"  {'':<34}{'median':>12}{'× read':>10}"]
    for name, seconds in times.items():
        median = statistics.median(seconds) * 1e3
        lines.append(f"  {name:<34}{median:>9.1f} ms{ratios[name]:>10.2f}")
    return lines


def blas_kernel() -> str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (install threadpoolctl to see it)"
    found = [
        f"{i['internal_api']} {i.get('version')} {i.get('architecture')}"
        f", {i['num_threads']} threads"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    return "; ".join(found) or "none found"


def problem(n: int, k: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    w = rng.normal(size=k) / np.sqrt(k)
    return w, 0.1, X, (rng.random(n) < 0.5).astype(float)


def compare(n: int, k: int, rounds: int, subsample: int) -> list[str]:
    w, b, X, y = problem(n, k)
    m = min(n, subsample)
    X_list, y_list, w_list = X[:m].tolist(), y[:m].tolist(), w.tolist()
    contenders = {
        "read of X: X.sum(axis=1)": lambda: X.sum(axis=1),
        "one product X @ w (streams X)": lambda: X @ w,
        "plain formula (two products)": lambda: plain_formula(w, b, X, y),
        "xentropy.gradient": lambda: xentropy.gradient(w, b, X, y),
        "autograd": lambda: autograd_gradient(w, b, X, y),
        f"Python loop ({m} rows, × {n // m})": lambda: python_loop(w_list, b, X_list, y_list),
    }
    times = side_by_side(contenders, rounds)
    scale = {name: n / m for name in contenders if name.startswith("Python loop")}
    return report(times, scale, read="read of X: X.sum(axis=1)")


def block_sizes(n: int, k: int, rounds: int) -> list[str]:
    """xentropy.gradient with blocks of 0.5 to 8 MiB, side by side with the read."""
    w, b, X, y = problem(n, k)
    default = neuron._BLOCK_BYTES

    def with_blocks(size):
        def run():
            neuron._BLOCK_BYTES = size
            try:
                xentropy.gradient(w, b, X, y)
            finally:
                neuron._BLOCK_BYTES = default

        return run

    contenders = {"read": lambda: X.sum(axis=1)}
    for mib in (0.5, 1, 2, 3, 4, 8):
        contenders[f"blocks of {mib} MiB"] = with_blocks(int(mib * 2**20))
    return report(side_by_side(contenders, rounds), {}, read="read")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10**6, help="examples (rows of X)")
    parser.add_argument("--k", type=int, default=64, help="features (columns of X)")
    parser.add_argument("--rounds", type=int, default=9, help="rounds of timing; medians")
    parser.add_argument("--subsample", type=int, default=2000, help="rows for the Python loop")
    parser.add_argument(
        "--block-sizes", action="store_true", help="also time gradient's block sizes"
    )
    args = parser.parse_args()
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    l2 = os.environ.get("OPENBLAS_L2_SIZE", "unset")
    print(
        f"The gradient, n = {args.n}, k = {args.k}, float64 ({args.n * args.k * 8 / 2**20:.0f} MiB)"
    )
    print(f"  BLAS: {blas_kernel()}; OPENBLAS_CORETYPE {coretype}, OPENBLAS_L2_SIZE {l2}")
    print(f"  median of {args.rounds} rounds, contenders timed in turn in each round")
    print("\n".join(compare(args.n, args.k, args.rounds, args.subsample)))
    if args.block_sizes:
        print("\nxentropy.gradient by block size (the default is", end=" ")
        print(f"{neuron._BLOCK_BYTES / 2**20:g} MiB)")
        print("\n".join(block_sizes(args.n, args.k, args.rounds)))


if __name__ == "__main__":
    main()
