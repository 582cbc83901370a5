"""The neuron's gradient check and grade: the analytic gradient passes, wrong ones are caught
where they are wrong, and the reports read as tables (the numeric contract's gradient checks)."""

from __future__ import annotations

import numpy as np
import pytest

from xentropy.gradcheck import DIGITS
from xentropy.gradcheck import GOOD
from xentropy.gradcheck import WRONG
from xentropy.gradcheck import GradientCheck
from xentropy.numeric.neuron import check_gradient
from xentropy.numeric.neuron import complex_cost
from xentropy.numeric.neuron import cost
from xentropy.numeric.neuron import grade
from xentropy.numeric.neuron import gradient
from xentropy.numeric.neuron import grading_problems

pytestmark = pytest.mark.usefixtures("strict_floating_point")

EPS = float(np.finfo(np.float64).eps)
#: How close the complex step must come to the analytic gradient (docs/numbers.md states it).
COMPLEX_AT_MOST = 1e-13


def test_complex_cost_is_the_cost_on_real_arguments():
    w, b, X, y = problem(3)
    assert complex_cost(w, b, X, y) == pytest.approx(cost(w, b, X, y), rel=4 * EPS)
    assert complex_cost(w, b, X, y).imag == 0.0


def test_complex_cost_validates_like_the_cost():
    with pytest.raises(ValueError, match=r"^y has 1 entries but X has 2 rows$"):
        complex_cost([1.0 + 1e-20j], 0.0, [[1.0], [2.0]], [1])
    with pytest.raises(ValueError, match=r"^the logits z = Xw \+ b overflow"):
        complex_cost([1e300 + 1e-20j], 0.0, [[1e300]], [1])


def test_complex_step_through_the_cost_stays_finite_at_huge_logits():
    # exp never sees a positive real part, so even z = ±1e300 gives a finite result.
    X = np.array([[1e300], [-1e300], [0.0]])
    check = check_gradient([1.0], 0.0, X, [0, 1, 1])
    assert check.passed, check


# ----------------------------------------------------------------- the gradient check


def problem(seed, n=12, k=3, scale=2.0):
    """Seeded data: about half the labels right, logits of size ``scale``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    w = rng.normal(scale=scale, size=k) / np.sqrt(k)
    return w, float(rng.normal(scale=scale / 2)), X, (rng.random(n) < 0.5).astype(float)


CASES = {
    "moderate logits": lambda s: problem(s),
    "large logits": lambda s: problem(s, scale=40.0),
    "n = 1": lambda s: problem(s, n=1),
    "all y = 0": lambda s: (*problem(s)[:3], np.zeros(12)),
    "all y = 1": lambda s: (*problem(s)[:3], np.ones(12)),
    "soft labels": lambda s: (*problem(s)[:3], np.random.default_rng(s).random(12)),
    # The first row is orthogonal to w and b = 0, so its logit is exactly 0.
    "some z exactly 0": lambda s: (
        np.array([1.0, -2.0, 0.5]),
        0.0,
        np.vstack([[2.0, 1.0, 0.0], problem(s)[2]]),
        np.append(1.0, problem(s)[3]),
    ),
}


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("case", CASES)
def test_the_analytic_gradient_passes_against_both_referees(case, seed):
    w, b, X, y = CASES[case](seed)
    by_complex_step = check_gradient(w, b, X, y)
    assert by_complex_step.passed, by_complex_step
    assert by_complex_step.worst <= COMPLEX_AT_MOST, by_complex_step
    by_central_differences = check_gradient(w, b, X, y, method="central")
    assert by_central_differences.passed, by_central_differences
    assert len(by_complex_step.parameters) == X.shape[1] + 1


def test_the_some_z_exactly_0_case_has_a_zero_logit():
    w, b, X, _ = CASES["some z exactly 0"](0)
    assert (X @ w + b)[0] == 0.0


def X_where_X_transpose_belongs(w, b, X, y):
    r = 1 / (1 + np.exp(-(X @ w + b))) - y
    return X @ r / X.shape[0], float(np.mean(r))


WRONG_GRADIENTS = {
    "forgot_the_mean": ("w_1", "w_2", "w_3", "b"),
    "flipped_sign": ("w_1", "w_2", "w_3", "b"),
    "no_bias_gradient": ("b",),
    "one_entry_one_percent_off": ("w_2",),
}


@pytest.fixture(scope="module")
def mistakes(usual_mistakes):
    """The usual mistakes, made to the package's gradient; the 1% is off in w_2."""
    return usual_mistakes(gradient, (0, 1))


@pytest.mark.parametrize("method", ["complex", "central"])
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("wrong", WRONG_GRADIENTS)
def test_a_wrong_gradient_fails_exactly_where_it_is_wrong(wrong, seed, method, mistakes):
    w, b, X, y = problem(seed)  # X is 12 × 3: not square
    check = check_gradient(w, b, X, y, mistakes[wrong], method=method)
    assert not check.passed
    assert check.failed == WRONG_GRADIENTS[wrong]
    if wrong == "one_entry_one_percent_off":
        # 1% off is not 'wrong' by the coarse threshold, but far too high for a smooth cost.
        assert check.verdicts[1] == "suspect"


@pytest.mark.parametrize("seed", range(3))
def test_X_where_X_transpose_belongs_fails(seed):
    # With a square X the mistake computes something, and every weight is wrong
    # (the bias, which does not involve X, is right).
    w, b, X, y = problem(seed, n=3, k=3)
    assert not np.allclose(X, X.T)
    check = check_gradient(w, b, X, y, X_where_X_transpose_belongs)
    assert check.failed == ("w_1", "w_2", "w_3")
    # With a non-square X it cannot even be computed, and the check stops.
    w, b, X, y = problem(seed)
    with pytest.raises(ValueError, match="matmul"):
        check_gradient(w, b, X, y, X_where_X_transpose_belongs)


def test_summing_over_the_wrong_axis_is_refused_by_its_shape():
    def wrong_axis(w, b, X, y):
        r = gradient(np.zeros_like(w), 0.0, X, y)[1]  # any residual will do
        return (X * r).mean(axis=1), r

    w, b, X, y = problem(0)
    with pytest.raises(ValueError, match=r"returned grad_w of shape \(12,\); expected \(3,\)"):
        check_gradient(w, b, X, y, wrong_axis)


def test_the_gradient_function_gets_copies_it_cannot_spoil():
    w, b, X, y = problem(0)
    originals = [w.copy(), X.copy(), y.copy()]

    def vandal(w_, b_, X_, y_):
        result = gradient(w_, b_, X_, y_)
        for a in (w_, X_, y_):
            a[...] = 0
        return result

    assert check_gradient(w, b, X, y, vandal).passed
    for a, original in zip((w, X, y), originals, strict=True):
        np.testing.assert_array_equal(a, original)


def test_a_gradient_function_with_the_wrong_shapes_is_refused():
    w, b, X, y = problem(0)
    with pytest.raises(ValueError, match=r"returned grad_w of shape \(3, 1\); expected \(3,\)"):
        check_gradient(w, b, X, y, lambda *a: (gradient(*a)[0][:, None], gradient(*a)[1]))
    with pytest.raises(ValueError, match=r"returned grad_b of shape \(1,\); expected a scalar"):
        check_gradient(w, b, X, y, lambda *a: (gradient(*a)[0], [gradient(*a)[1]]))
    with pytest.raises(ValueError, match=r"^method must be 'complex' or 'central', got 'forward'$"):
        check_gradient(w, b, X, y, method="forward")


def test_a_nan_gradient_is_wrong():
    w, b, X, y = problem(0)
    check = check_gradient(w, b, X, y, lambda *a: (gradient(*a)[0], float("nan")))
    assert check.verdicts[-1] == "wrong"
    assert check.failed == ("b",)


def test_the_thresholds_are_those_of_the_contract():
    assert (GOOD, WRONG) == (1e-7, 1e-2)
    check = GradientCheck(
        ("a", "b", "c", "d"),
        np.ones(4),
        np.ones(4),
        np.array([1e-7, 1.1e-7, 1e-2, 1.1e-2]),
        "complex step",
        GOOD,
    )
    assert check.verdicts == ("good", "suspect", "suspect", "wrong")
    assert check.failed == ("b", "c", "d")


def test_the_report_reads_as_a_table_verdict_first_in_text_and_html(mistakes):
    w, b, X, y = problem(0)
    check = check_gradient(w, b, X, y, mistakes["one_entry_one_percent_off"])
    lines = str(check).splitlines()
    header = ["parameter", "verdict", "relative", "error", "gradient", "complex", "step"]
    assert lines[0].split() == header
    rows = [line.split() for line in lines[1:5]]
    assert [row[0] for row in rows] == ["w_1", "w_2", "w_3", "b"]
    assert [row[1] for row in rows] == ["good", "suspect", "good", "good"]
    # The derivatives to DIGITS significant digits, the error in full below them.
    mantissas = [row[3].split("e")[0].lstrip("-").replace(".", "").lstrip("0") for row in rows]
    assert all(len(m) <= DIGITS for m in mantissas), mantissas
    assert float(rows[1][3]) == pytest.approx(check.gradient[1], rel=10.0**-DIGITS)
    assert lines[-1] == "failed: w_2 above 1e-07"
    assert repr(check) == str(check)
    html = check._repr_html_()
    assert html.startswith("<table>")
    assert html.count("<tr>") == 5
    assert "<td>suspect</td>" in html
    assert html.index("verdict") < html.index("gradient")


# ------------------------------------------------------------------------ the grade


def test_the_book_states_the_agreement_these_tests_require(page_constants):
    assert page_constants("numbers")["COMPLEX_AT_MOST"] == COMPLEX_AT_MOST


def test_grade_passes_the_analytic_gradient_on_every_problem():
    result = grade()
    assert result.passed
    assert result.failed == {}
    assert result.verdict.startswith("correct")
    assert len(result.checks) >= 6
    assert all(check.worst <= COMPLEX_AT_MOST for check in result.checks.values())
    assert grade(method="central").passed


def test_grade_passes_a_textbook_gradient_written_by_a_reader():
    def textbook(w, b, X, y):
        r = 1 / (1 + np.exp(-(X @ w + b))) - y
        return X.T @ r / len(y), np.mean(r)

    assert grade(textbook).passed


def test_thegrading_problems_cover_the_cases_that_expose_the_usual_mistakes():
    problems = grading_problems().values()
    shapes = [X.shape for _, _, X, _ in problems]
    assert any(n == 1 for n, _ in shapes)  # one example: hides a missing 1/n
    assert any(k == 1 for _, k in shapes)  # one feature
    assert any(n == k for n, k in shapes)  # square X: X in place of Xᵀ computes something
    labels = [y for _, _, _, y in problems]
    assert any(np.all(y == 0) for y in labels)
    assert any(np.all(y == 1) for y in labels)
    assert any(np.any((y > 0) & (y < 1)) for y in labels)  # soft labels
    logits = np.concatenate([X @ w + b for w, b, X, _ in problems])
    assert np.abs(logits).max() < 10  # moderate: the textbook formula is accurate there


def test_grade_catches_what_one_point_hides(mistakes):
    # Forgetting the 1/n is invisible with one example and caught on every other problem.
    result = grade(mistakes["forgot_the_mean"])
    assert not result.passed
    assert "1 example, 2 features" not in result.failed
    assert len(result.failed) == len(result.checks) - 1
    assert result.verdict == (
        f"wrong on {len(result.checks) - 1} of {len(result.checks)} problems, "
        "for w_1, w_2, w_3, w_4, b"
    )


def test_grade_names_exactly_the_parameters_that_are_wrong(mistakes):
    result = grade(mistakes["no_bias_gradient"])
    assert set(result.failed.values()) == {("b",)}
    assert len(result.failed) == len(result.checks)
    assert result.verdict.endswith("problems, for b")


def test_grade_catches_X_where_X_transpose_belongs_on_the_square_problem():
    # With a non-square X the mistake cannot even be computed, and the grading stops; with a
    # square X it computes something, which is graded wrong.
    with pytest.raises(ValueError, match="matmul"):
        grade(X_where_X_transpose_belongs)

    def only_when_square(w, b, X, y):
        if X.shape[0] == X.shape[1]:
            return X_where_X_transpose_belongs(w, b, X, y)
        return gradient(w, b, X, y)

    assert grade(only_when_square).failed == {"3 examples, 3 features": ("w_1", "w_2", "w_3")}


def test_grade_reads_as_a_table_with_the_verdict_last(mistakes):
    result = grade(mistakes["no_bias_gradient"])
    lines = str(result).splitlines()
    assert lines[0].split() == ["problem", "worst", "error", "failed"]
    assert len(lines) == len(result.checks) + 2
    assert all(line.endswith("  b") for line in lines[1:-1])
    assert lines[-1] == result.verdict
    assert repr(result) == str(result)


def test_grade_is_deterministic(mistakes):
    first, second = grade(mistakes["flipped_sign"]), grade(mistakes["flipped_sign"])
    for name in first.checks:
        np.testing.assert_array_equal(first.checks[name].errors, second.checks[name].errors)
