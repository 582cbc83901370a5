"""xentropy.numeric keeps the promises of docs/numbers.md, sections 1 to 4, on chosen inputs.

Section 7's randomized search over the same promises is in test_properties.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from xentropy import cost
from xentropy import gradient
from xentropy import sigmoid
from xentropy.numeric import blocks
from xentropy.numeric.neuron import validate_inputs

pytestmark = pytest.mark.usefixtures("strict_floating_point")

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)
BIG = float(np.finfo(np.float64).max)

W, B = [0.5, -1.0], 0.25
X = [[1.0, 2.0], [-3.0, 0.5], [0.0, 4.0]]
Y = [0, 1, 1]


@pytest.fixture(autouse=True, params=["numpy", "compiled"])
def the_pass(request, monkeypatch):
    """Every test here runs twice: cost and gradient taking the NumPy pass over X, and taking
    the compiled one (xentropy.numeric.fused) however small X is."""
    monkeypatch.setattr(blocks, "FUSED_BYTES", 0 if request.param == "compiled" else 2**62)
    return request.param


def with_nan(index):
    X_bad = np.array(X)
    X_bad[index] = np.nan
    return X_bad


def test_these_tests_turn_floating_point_events_into_errors():
    assert np.geterr() == {
        "over": "raise",
        "invalid": "raise",
        "divide": "raise",
        "under": "ignore",
    }


# ---------------------------------------------------------------- section 1: bad input


BAD_INPUT = [
    # (what differs from the valid W, B, X, Y, the exception, the message)
    ({"X": [1.0, 2.0, 3.0]}, ValueError, r"^X must be 2-D, got shape \(3,\)$"),
    ({"X": np.zeros((3, 2, 1))}, ValueError, r"^X must be 2-D, got shape \(3, 2, 1\)$"),
    ({"w": [1.0, 2.0, 3.0]}, ValueError, r"^w has 3 entries but X has 2 features$"),
    (
        {"w": [[0.5], [-1.0]]},
        ValueError,
        r"^w must be 1-D with 2 entries \(one per feature of X\), got shape \(2, 1\)$",
    ),
    ({"w": 0.5}, ValueError, r"^w must be 1-D with 2 entries .*got shape \(\)$"),
    ({"y": [0, 1]}, ValueError, r"^y has 2 entries but X has 3 rows$"),
    (
        {"y": [[0], [1], [1]]},
        ValueError,
        r"^y must be 1-D with 3 entries \(one per row of X\), got shape \(3, 1\)$",
    ),
    (
        {"X": np.zeros((0, 2)), "y": []},
        ValueError,
        r"^X has no rows: the cost of no examples is undefined$",
    ),
    ({"X": with_nan((2, 1))}, ValueError, r"^X contains NaN at row 2, column 1$"),
    (
        {"X": [[1.0, 2.0], [-np.inf, 0.5], [0.0, 4.0]]},
        ValueError,
        r"^X contains -inf at row 1, column 0$",
    ),
    ({"w": [0.5, np.inf]}, ValueError, r"^w contains inf at entry 1$"),
    ({"y": [0, np.nan, 1]}, ValueError, r"^y contains NaN at row 1$"),
    ({"b": np.nan}, ValueError, r"^b contains NaN$"),
    ({"b": -np.inf}, ValueError, r"^b contains -inf$"),
    ({"y": [0, 1.5, 1]}, ValueError, r"^y must lie in \[0, 1\]; found 1.5 at row 1$"),
    ({"y": [0, 1, -0.25]}, ValueError, r"^y must lie in \[0, 1\]; found -0.25 at row 2$"),
    ({"b": [0.25, 0.5]}, ValueError, r"^b must be a scalar, got shape \(2,\)$"),
    ({"b": [0.25]}, ValueError, r"^b must be a scalar, got shape \(1,\)$"),
    ({"X": np.array(X, dtype=complex)}, TypeError, r"^X must hold real numbers, got complex128$"),
    ({"y": np.array(Y, dtype=object)}, TypeError, r"^y must hold real numbers, got object$"),
    ({"w": ["0.5", "1"]}, TypeError, r"^w must hold real numbers, got <U3$"),
    ({"b": 1j}, TypeError, r"^b must hold real numbers, got complex128$"),
    (
        {"X": [[1e300, 0.0], [0.0, 0.0], [0.0, 0.0]], "w": [1e300, 0.0]},
        ValueError,
        r"^the logits z = Xw \+ b overflow \(row 0 gives inf\)$",
    ),
    # inf - inf: the two halves overflow with opposite signs.
    (
        {"X": [[1e308, 1e308], [0.0, 0.0], [0.0, 0.0]], "w": [10.0, -10.0]},
        ValueError,
        r"^the logits z = Xw \+ b overflow \(row 0 gives (nan|-?inf)\)$",
    ),
]


@pytest.mark.parametrize("function", [cost, gradient])
@pytest.mark.parametrize(("change", "error", "message"), BAD_INPUT)
def test_bad_input_raises_a_clear_error(function, change, error, message):
    arguments = {"w": W, "b": B, "X": X, "y": Y, **change}
    with pytest.raises(error, match=message):
        function(**arguments)


def test_integer_and_boolean_data_are_numbers():
    X_int = [[1, 2], [-3, 0], [0, 4]]
    as_float = cost([1.0, -1.0], 0.0, np.array(X_int, dtype=float), [0.0, 1.0, 1.0])
    assert cost([1, -1], 0, np.array(X_int, dtype=np.int32), np.array(Y, dtype=bool)) == as_float
    assert cost([1, -1], 0, X_int, np.array(Y, dtype=np.uint8)) == as_float
    grad_w, grad_b = gradient(np.array([1, 0]), np.int64(2), [[True, False]], [True])
    assert grad_w.dtype == np.float64
    assert isinstance(grad_b, float)


def test_the_callers_arrays_are_never_modified():
    arrays = [np.array(W), np.array(X), np.array(Y, dtype=float)]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.flags.writeable = False  # any write into them would raise
    w, X_, y = arrays
    cost(w, B, X_, y)
    gradient(w, B, X_, y)
    for a, original in zip(arrays, copies, strict=True):
        np.testing.assert_array_equal(a, original)


def test_the_results_have_the_promised_types_and_shapes():
    c = cost(W, B, X, Y)
    grad_w, grad_b = gradient(W, B, X, Y)
    assert type(c) is float
    assert type(grad_b) is float
    assert isinstance(grad_w, np.ndarray)
    assert grad_w.shape == (2,)
    assert grad_w.dtype == np.float64


def test_a_model_without_features_is_a_bias_only_model():
    # k = 0 is not an error: z = b for every row.
    c = cost(np.zeros(0), 0.0, np.zeros((2, 0)), [0, 1])
    grad_w, grad_b = gradient(np.zeros(0), 0.0, np.zeros((2, 0)), [0, 1])
    # ln 2 through NumPy's log1p, whose last bit depends on the CPU's vector width
    assert c == pytest.approx(math.log(2), rel=2 * EPS, abs=0)
    assert grad_w.shape == (0,)
    assert grad_b == 0.0


def test_validate_inputs_returns_float64_without_copying_float64():
    X_ = np.array(X)
    w, b, X_out, y = validate_inputs(W, 1, X_, Y)
    assert X_out is X_  # no copy of a float64 array
    assert type(b) is float
    assert w.dtype == y.dtype == np.float64


# ------------------------------------------------------------- sigmoid's conventions


def test_sigmoid_follows_numpys_conventions():
    assert sigmoid(np.inf) == 1.0
    assert sigmoid(-np.inf) == 0.0
    assert np.isnan(sigmoid(np.nan))
    out = sigmoid(np.array([[np.nan, -np.inf, 0.0], [1.0, np.inf, -1.0]]))
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out[:, 1:2], [[0.0], [1.0]])


@pytest.mark.parametrize("scalar", [0.5, 3, np.float32(-2.0), np.float64(7.0), True])
def test_sigmoid_maps_a_scalar_to_a_scalar(scalar):
    s = sigmoid(scalar)
    assert isinstance(s, np.float64)
    assert not isinstance(s, np.ndarray)


def test_sigmoid_keeps_the_shape_and_computes_in_float64():
    z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    s = sigmoid(z)
    assert s.shape == (3, 4)
    assert s.dtype == np.float64
    assert sigmoid([]).shape == (0,)


def test_sigmoid_refuses_complex_numbers():
    with pytest.raises(TypeError, match=r"^z must hold real numbers, got complex128$"):
        sigmoid(1 + 2j)


# --------------------------------------------------------- section 4: extreme inputs

FORMS = {
    # z reaches the cost through the data, or through the bias alone.
    "through X": lambda z: ([1.0], 0.0, [[z]]),
    "through b": lambda z: ([0.0], z, [[1.0]]),
}

LN2 = math.log(2)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize(
    ("z", "y", "loss", "residual"),
    [
        (0.0, 0, LN2, 0.5),
        (0.0, 1, LN2, -0.5),
        (37.0, 1, 8.533047625744065e-17, -8.533047625744065e-17),
        (-37.0, 0, 8.533047625744065e-17, 8.533047625744065e-17),
        (-120.0, 1, 120.0, -1.0),
        (-1000.0, 1, 1000.0, -1.0),
        (1e300, 0, 1e300, 1.0),
        (1000.0, 0.5, 500.0, 0.5),
    ],
)
def test_extreme_inputs(form, z, y, loss, residual):
    w, b, X_ = FORMS[form](z)
    _, grad_b = gradient(w, b, X_, [y])
    assert cost(w, b, X_, [y]) == pytest.approx(loss, rel=2 * EPS, abs=0)
    assert grad_b == pytest.approx(residual, rel=2 * EPS, abs=0)
    # The residuals ±1/2 at z = 0 are exact, not merely close.
    if z == 0:
        assert grad_b == residual


@pytest.mark.parametrize("form", FORMS)
def test_the_loss_at_710_is_subnormal_and_the_residual_tiny(form):
    w, b, X_ = FORMS[form](710.0)
    loss = cost(w, b, X_, [1])
    assert 0 < loss < TINY
    assert loss == pytest.approx(4.476286225675e-309, rel=1e-12)
    _, residual = gradient(w, b, X_, [1])
    assert -TINY < residual <= 0


@pytest.mark.parametrize("form", FORMS)
def test_a_confident_correct_prediction_at_1000_costs_nothing(form):
    w, b, X_ = FORMS[form](1000.0)
    assert cost(w, b, X_, [1]) == 0.0
    assert gradient(w, b, X_, [1])[1] == 0.0


EDGES = [0.0, 1e-300, 36.9, 37.0, 709.78, 710.0, 745.0, 1000.0, 1e300]
EDGES = sorted({s * e for e in EDGES for s in (1, -1)})
LABELS = [0.0, 1.0, 0.5, 0.3, 2.0**-53, 1 - 2.0**-53, 1e-300]


def test_nothing_is_non_finite_at_the_edges():
    for z in EDGES:
        for y in LABELS:
            c = cost([1.0], 0.0, [[z]], [y])
            grad_w, grad_b = gradient([1.0], 0.0, [[z]], [y])
            s = sigmoid(z)
            assert math.isfinite(c)
            assert c >= 0
            assert np.isfinite(grad_w).all()
            assert abs(grad_b) <= 1
            assert 0 <= s <= 1


def test_the_mean_does_not_overflow_for_terms_near_the_largest_float():
    X_ = np.full((4, 1), BIG)
    c = cost([1.0], 0.0, X_, [0, 0, 0, 0])
    assert c == pytest.approx(BIG, rel=4 * EPS)
    grad_w, grad_b = gradient([1.0], 0.0, X_, [0, 0, 0, 0])
    # Every residual is 1, so ∂C/∂w is the mean of X: the largest float.
    assert grad_w[0] == pytest.approx(BIG, rel=4 * EPS)
    assert grad_b == 1.0


def test_a_huge_mean_next_to_tiny_terms_keeps_its_precision():
    z = np.array([BIG, BIG / 2, 1e-300, -37.0])
    y = np.array([0.0, 0.0, 1.0, 0.0])
    c = cost([1.0], 0.0, z[:, None], y)
    assert c == pytest.approx(BIG / 4 + BIG / 8, rel=4 * EPS)


# ------------------------------------------- a single example, equal labels, invariances


def seeded_problem(seed, n=20, k=3, scale=3.0):
    rng = np.random.default_rng(seed)
    X_ = rng.normal(size=(n, k))
    w = rng.normal(scale=scale, size=k)
    return w, float(rng.normal()), X_, (rng.random(n) < 0.5).astype(float)


def test_one_example_works(reference):
    w, b = np.array([0.7, -0.2]), 0.1
    X_, y = np.array([[1.5, 2.0]]), np.array([1.0])
    z = reference.logits(w, b, X_)[0]
    assert reference.error_in_eps(cost(w, b, X_, y), reference.loss(z, 1.0)) <= 4
    assert gradient(w, b, X_, y)[1] == pytest.approx(float(reference.residual(z, 1.0)), rel=4 * EPS)


@pytest.mark.parametrize("label", [0.0, 1.0])
def test_all_labels_equal_works(reference, label):
    w, b, X_, _ = seeded_problem(1, scale=10.0)
    y = np.full(X_.shape[0], label)
    exact = reference.exact(w, b, X_, y)
    assert exact.cost_error(cost(w, b, X_, y)) <= exact.cost_bound
    assert (exact.gradient_error(*gradient(w, b, X_, y)) <= 64).all()


@pytest.mark.parametrize("seed", range(4))
def test_duplicating_or_permuting_the_rows_changes_nothing(reference, seed):
    # The exact cost and gradient are the same; the computed ones may differ
    # only by what each is allowed to be off from the exact value.
    w, b, X_, y = seeded_problem(seed)
    order = np.random.default_rng(100 + seed).permutation(len(y))
    c, (grad_w, grad_b) = cost(w, b, X_, y), gradient(w, b, X_, y)
    exact = reference.exact(w, b, X_, y)
    for X2, y2 in [(X_[order], y[order]), (np.vstack([X_, X_]), np.concatenate([y, y]))]:
        # Both have the same exact cost and gradient, hence the same bounds
        # (but for the log2 n in the cost's: n may have doubled).
        c2 = cost(w, b, X2, y2)
        assert abs(c2 - c) <= exact.cost_allowance() + exact.cost_allowance(len(y2))
        grad_w2, grad_b2 = gradient(w, b, X2, y2)
        change = np.abs(np.append(grad_w2, grad_b2) - np.append(grad_w, grad_b))
        assert (change <= 2 * 64 * EPS * exact.scale).all()


# ---------------------------------------------- section 3: accuracy against the reference

Z_GRID = sorted(
    {
        *EDGES,
        *(np.nextafter(e, s) for e in EDGES for s in (-np.inf, np.inf)),
        *np.geomspace(1e-8, 800, 60),
        *-np.geomspace(1e-8, 800, 60),
    }
)


@pytest.mark.parametrize("y", LABELS)
def test_sigmoid_loss_and_residual_match_the_reference_elementwise(reference, y):
    hard = y in (0.0, 1.0)
    for z in Z_GRID:
        assert reference.error_in_eps(sigmoid(z), reference.sigmoid(z)) <= 2, z
        loss = cost([1.0], 0.0, [[z]], [y])
        assert reference.error_in_eps(loss, reference.loss(z, y)) <= (2 if hard else 4), z
        residual = gradient([1.0], 0.0, [[z]], [y])[1]
        exact = reference.residual(z, y)
        if hard:
            assert reference.error_in_eps(residual, exact) <= 2, z
        else:
            assert abs(residual - float(exact)) <= 2 * EPS, z


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("scale", [0.1, 3.0, 40.0])
@pytest.mark.parametrize("labels", ["hard", "soft"])
def test_cost_and_gradient_match_the_reference_on_seeded_data(reference, seed, scale, labels):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 60)), int(rng.integers(1, 6))
    X_ = rng.normal(size=(n, k)) * rng.choice([0.01, 1.0, 100.0], size=(n, 1))
    w = rng.normal(scale=scale, size=k) / np.sqrt(k)
    b = float(rng.normal(scale=scale))
    y = rng.random(n) if labels == "soft" else (rng.random(n) < 0.5).astype(float)
    exact = reference.exact(w, b, X_, y)
    assert exact.cost_error(cost(w, b, X_, y)) <= exact.cost_bound
    assert (exact.gradient_error(*gradient(w, b, X_, y)) <= 64).all()


def test_the_cost_of_exactly_formed_logits_is_within_4_plus_log2_n_eps(reference):
    rng = np.random.default_rng(7)
    for n in (1, 2, 7, 64, 500):
        z = rng.normal(scale=30, size=n)
        y = np.where(rng.random(n) < 0.3, rng.random(n), (rng.random(n) < 0.5).astype(float))
        X_ = z[:, None]
        exact = reference.exact([1.0], 0.0, X_, y)
        assert exact.cost_bound == 4 + math.log2(n)
        assert exact.cost_error(cost([1.0], 0.0, X_, y)) <= exact.cost_bound


def test_soft_labels_at_their_optimum_keep_the_gradient_accurate(reference):
    # y = σ(z) rounded: the residual is the rounding error of σ, a few 1e-18,
    # which the direct form ((1 - y) - y e) / (1 + e) would get wrong by eps.
    z = np.array([1e-10, -1e-10, 1e-3, 0.3, -0.7, 1e-300])
    y = sigmoid(z)
    for zi, yi in zip(z, y, strict=True):
        exact = reference.exact([1.0], 0.0, [[zi]], [yi])
        assert (exact.gradient_error(*gradient([1.0], 0.0, [[zi]], [yi])) <= 64).all(), zi


# ------------------------------- the single pass over X in blocks, shared among threads


@pytest.fixture(params=[1, 3], ids=["one-thread", "three-threads"])
def blocks_of(request, monkeypatch):
    """Make cost and gradient read X in blocks of ``rows`` rows (of an X with ``k`` columns).

    Each test that uses it runs twice: with every block in the calling thread, and with the
    blocks shared among three threads however small X is.
    """

    def set_rows(rows, k):
        monkeypatch.setattr(blocks, "BLOCK_BYTES", rows * 8 * k)
        monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
        monkeypatch.setattr(blocks, "WORKERS", request.param)

    return set_rows


def test_the_blocks_cover_every_row_once():
    for n, k in [(1, 1), (4096, 64), (4097, 64), (10**6, 64), (10**6, 3), (5, 0), (3, 10**6)]:
        everyone = np.arange(n)
        covered = np.concatenate([everyone[rows] for rows in blocks.row_blocks(n, k)])
        np.testing.assert_array_equal(covered, everyone)
    assert blocks.row_blocks(10**6, 64)[0] == slice(0, 4096)


@pytest.mark.parametrize(
    ("n", "rows"),
    [(23, 5), (20, 5), (3, 5), (5, 5), (17, 1), (40, 39)],
    ids=["partial-last-block", "whole-blocks", "one-short-block", "one-full-block", "rows", "n-1"],
)
@pytest.mark.parametrize("labels", ["hard", "soft"])
def test_the_blocked_gradient_matches_the_reference(reference, blocks_of, n, rows, labels):
    rng = np.random.default_rng(n * rows)
    k = 3
    X_ = rng.normal(size=(n, k)) * rng.choice([0.01, 1.0, 100.0], size=(n, 1))
    w, b = rng.normal(scale=3.0, size=k), float(rng.normal())
    y = rng.random(n) if labels == "soft" else (rng.random(n) < 0.5).astype(float)
    blocks_of(rows, k)
    assert len(blocks.row_blocks(n, k)) == -(-n // rows)
    exact = reference.exact(w, b, X_, y)
    assert (exact.gradient_error(*gradient(w, b, X_, y)) <= 64).all()


def test_a_block_of_one_row_gives_the_gradient_of_one_pass(blocks_of):
    w, b, X_, y = seeded_problem(3, n=50)
    whole = np.append(*gradient(w, b, X_, y))
    blocks_of(1, X_.shape[1])
    blocked = np.append(*gradient(w, b, X_, y))
    scale = np.abs(np.column_stack([X_, np.ones(50)])).sum(axis=0) / 50
    assert (np.abs(blocked - whole) <= 64 * EPS * scale).all()


@pytest.mark.parametrize(("change", "error", "message"), BAD_INPUT)
def test_bad_input_gives_the_same_error_in_blocks_of_one_row(blocks_of, change, error, message):
    arguments = {"w": W, "b": B, "X": X, "y": Y, **change}
    blocks_of(1, 2)
    for function in (cost, gradient):
        with pytest.raises(error, match=message):
            function(**arguments)


def bad_rows(n=23, k=3):
    rng = np.random.default_rng(5)
    return rng.normal(size=(n, k)), rng.normal(size=k), (rng.random(n) < 0.5).astype(float)


@pytest.mark.parametrize("rows", [5, 23, 100])
def test_the_first_bad_row_is_reported_wherever_its_block_is(blocks_of, rows):
    X_, w, y = bad_rows()
    X_[13, 2] = np.nan
    X_[14, 0] = np.inf
    X_[21, 1] = -np.inf
    blocks_of(rows, 3)
    with pytest.raises(ValueError, match=r"^X contains NaN at row 13, column 2$"):
        gradient(w, 0.0, X_, y)
    X_[13, 2] = 1.0
    with pytest.raises(ValueError, match=r"^X contains inf at row 14, column 0$"):
        gradient(w, 0.0, X_, y)


def test_an_overflow_is_reported_at_its_row_in_a_later_block(blocks_of):
    X_, w, y = bad_rows()
    X_[17] = 1e300
    w[:] = 1e300
    X_[:17] = 0.0
    blocks_of(5, 3)
    for function in (cost, gradient):
        with pytest.raises(
            ValueError, match=r"^the logits z = Xw \+ b overflow \(row 17 gives inf\)$"
        ):
            function(w, 0.0, X_, y)


def test_a_bad_x_in_a_later_block_is_reported_before_an_earlier_overflow(blocks_of):
    # validate_inputs checks all of X before the logits exist; the pass must agree.
    X_, w, y = bad_rows()
    X_[2] = [1e300, 0.0, 0.0]
    w[0] = 1e300
    X_[19, 1] = np.nan
    blocks_of(5, 3)
    with pytest.raises(ValueError, match=r"^X contains NaN at row 19, column 1$"):
        gradient(w, 0.0, X_, y)
    X_[19, 1] = 0.0
    with pytest.raises(ValueError, match=r"^the logits z = Xw \+ b overflow \(row 2 gives inf\)$"):
        gradient(w, 0.0, X_, y)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"y": (7, np.nan)}, r"^y contains NaN at row 7$"),
        ({"y": (7, 1.5)}, r"^y must lie in \[0, 1\]; found 1.5 at row 7$"),
        ({"w": (1, np.inf)}, r"^w contains inf at entry 1$"),
        ({"b": np.nan}, r"^b contains NaN$"),
    ],
)
def test_a_bad_x_in_a_later_block_is_reported_before_a_bad_w_y_or_b(blocks_of, bad, message):
    X_, w, y = bad_rows()
    b = bad.get("b", 0.0)
    for name, array in (("w", w), ("y", y)):
        if name in bad:
            index, value = bad[name]
            array[index] = value
    blocks_of(5, 3)
    with pytest.raises(ValueError, match=message):
        gradient(w, b, X_, y)
    X_[21, 0] = -np.inf
    with pytest.raises(ValueError, match=r"^X contains -inf at row 21, column 0$"):
        gradient(w, b, X_, y)


def shared_among(monkeypatch, threads, rows, k):
    """Blocks of ``rows`` rows, shared among ``threads`` threads however small X is."""
    monkeypatch.setattr(blocks, "BLOCK_BYTES", rows * 8 * k)
    monkeypatch.setattr(blocks, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(blocks, "WORKERS", threads)


def soft_problem(n=200, k=5, seed=11):
    rng = np.random.default_rng(seed)
    X_ = rng.normal(size=(n, k)) * rng.choice([0.01, 1.0, 100.0], size=(n, 1))
    return rng.normal(scale=2.0, size=k), float(rng.normal()), X_, rng.random(n)


def gradient_scale(w, b, X_, y):
    """S_j of the numeric contract (tests/conftest.py): the size of ∂C/∂θ_j's terms."""
    r = np.abs(sigmoid(X_ @ w + b) - y)
    per_row = r + (np.abs(X_) @ np.abs(w) + abs(b)) / 4
    return np.column_stack([np.abs(X_), np.ones(len(y))]).T @ per_row / len(y)


@pytest.mark.parametrize("threads", [2, 3, 5])
@pytest.mark.parametrize("rows", [1, 7, 64])
def test_the_threaded_pass_gives_the_single_block_result(monkeypatch, threads, rows):
    # One block in the calling thread is the pass as it was before threads; shared among
    # threads, the blocks' shares are summed in another grouping, so the two may differ by
    # rounding, within the contract's 64 eps of each component's scale (and 4 + log2 n eps of
    # the cost), never more.
    w, b, X_, y = soft_problem()
    n, k = X_.shape
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 8 * n * k)
    single = np.append(*gradient(w, b, X_, y))
    single_cost = cost(w, b, X_, y)
    shared_among(monkeypatch, threads, rows, k)
    assert len(blocks.row_blocks(n, k)) == -(-n // rows)
    threaded = np.append(*gradient(w, b, X_, y))
    assert (np.abs(threaded - single) <= 64 * EPS * gradient_scale(w, b, X_, y)).all()
    assert abs(cost(w, b, X_, y) - single_cost) <= (4 + math.log2(n)) * EPS * single_cost


def test_the_number_of_threads_does_not_change_the_result(monkeypatch):
    # The shares are added in the order of the blocks, whichever thread computed them: the
    # thread count cannot move the result beyond the bound (here, on one machine, not at all).
    w, b, X_, y = soft_problem(n=1000, seed=12)
    bound = 64 * EPS * gradient_scale(w, b, X_, y)
    results = {}
    for threads in (1, 2, 3, 4, 8):
        shared_among(monkeypatch, threads, 10, X_.shape[1])
        results[threads] = (np.append(*gradient(w, b, X_, y)), cost(w, b, X_, y))
    one_thread, one_thread_cost = results[1]
    for threaded, threaded_cost in results.values():
        assert (np.abs(threaded - one_thread) <= bound).all()
        assert abs(threaded_cost - one_thread_cost) <= (4 + math.log2(1000)) * EPS * one_thread_cost


def test_the_threaded_pass_matches_the_reference(reference, monkeypatch):
    w, b, X_, y = soft_problem(n=60, seed=13)
    shared_among(monkeypatch, 3, 4, X_.shape[1])
    exact = reference.exact(w, b, X_, y)
    assert (exact.gradient_error(*gradient(w, b, X_, y)) <= 64).all()
    assert exact.cost_error(cost(w, b, X_, y)) <= exact.cost_bound


@pytest.mark.parametrize("threads", [1, 3])
def test_the_threaded_pass_never_modifies_the_callers_arrays(monkeypatch, threads):
    w, b, X_, y = soft_problem(n=300, seed=14)
    X_ = np.asfortranarray(X_)  # not the layout the blocks are cut from
    originals = [w.copy(), X_.copy(), y.copy()]
    shared_among(monkeypatch, threads, 16, X_.shape[1])
    gradient(w, b, X_, y)
    cost(w, b, X_, y)
    for array, original in zip([w, X_, y], originals, strict=True):
        np.testing.assert_array_equal(array, original)
    assert X_.flags.f_contiguous


@pytest.mark.parametrize("zero_weight", [False, True], ids=["nonzero-weights", "a-zero-weight"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_a_bad_x_is_found_whether_or_not_a_weight_is_zero(blocks_of, zero_weight, value):
    # A zero weight may keep a bad value of X out of its row's logit, so X is then checked
    # block by block; with no zero weight the logits vouch for X. Both must find it.
    X_, w, y = bad_rows()
    if zero_weight:
        w[2] = 0.0
    X_[16, 2] = value
    blocks_of(5, 3)
    shown = {"nan": "NaN", "inf": "inf", "-inf": "-inf"}[str(value)]
    for function in (cost, gradient):
        with pytest.raises(ValueError, match=rf"^X contains {shown} at row 16, column 2$"):
            function(w, 0.0, X_, y)
