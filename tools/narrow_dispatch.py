"""Print the value of NPY_DISABLE_CPU_FEATURES that narrows NumPy to its baseline kernels.

NumPy compiles some functions (exp, log, log1p, tanh, ...) several times, for
vector widths above its baseline, and picks at import the widest the CPU has.
Those kernels may differ from each other in the last bit, so a result printed
to all 17 digits can pass on the machine that wrote it and fail on the next.
``make test`` runs the fast tier a second time with every dispatched feature
this CPU has disabled (the names this prints), so a test that depends on the
CPU fails here, on the machine that wrote it, not on a reader's.

Prints nothing where the CPU has no feature above NumPy's baseline; with
``--explain`` it says, on standard error, what it found.
"""

from __future__ import annotations

import sys

from numpy._core._multiarray_umath import (  # the names NumPy itself reports in show_runtime()
    __cpu_baseline__,
    __cpu_dispatch__,
    __cpu_features__,
)


def dispatched_features_present() -> list[str]:
    """The features NumPy dispatches to above its baseline that this CPU has, in NumPy's order."""
    return [name for name in __cpu_dispatch__ if __cpu_features__.get(name)]


def main(argv: list[str]) -> int:
    present = dispatched_features_present()
    if "--explain" in argv:
        print(
            f"NumPy baseline: {' '.join(__cpu_baseline__) or 'none'}; dispatched above it and "
            f"present on this CPU: {' '.join(present) or 'none (nothing to narrow)'}",
            file=sys.stderr,
        )
    print(" ".join(present))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
