"""xentropy.timing: measured values are marked, figures inline, contenders timed in turn.

That tools/compare_builds.py masks exactly what this module marks is tested in
test_repro.py, on hand-made builds and on a built page.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

from xentropy import timing


def test_a_measured_value_is_plain_text_or_a_marked_span():
    value = timing.measured(0.04567, ".2f")
    assert repr(value) == "0.05"
    assert value._repr_html_() == "<span data-measured>0.05</span>"
    assert timing.Measured("<1 ms")._repr_html_() == "<span data-measured>&lt;1 ms</span>"


@pytest.fixture
def figure():
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3.0, 1.0, 2.0])
    ax.set_title("Time against n")
    yield fig
    plt.close(fig)


def test_a_measured_figure_is_inline_svg_in_one_marked_element(figure):
    drawn = timing.measured_figure(figure)
    page = drawn._repr_html_()
    assert page.startswith('<div data-measured><svg style="max-width: 100%; height: auto" ')
    assert page.endswith("</svg></div>")
    # No prologue, no second svg or div, no file referred to: all of it lies in the element.
    assert "<?xml" not in page
    assert "<!DOCTYPE" not in page
    assert page.count("<svg") == 1
    assert page.count("<div") == 1
    assert not re.search(r"\b(src|href)=\"(?!#)", page.replace('xmlns:xlink="', ""))
    assert "<dc:date>" not in page
    assert drawn._repr_png_().startswith(b"\x89PNG\r\n\x1a\n")
    assert repr(drawn) == "<figure drawn from measurements>"


def test_the_same_figure_gives_the_same_markup(figure):
    assert timing.measured_figure(figure) == timing.measured_figure(figure)


def test_contenders_are_timed_in_turn_after_a_pause(monkeypatch):
    events = []
    clock = iter(range(100))  # each reading of the clock one second after the last
    monkeypatch.setattr(timing.time, "sleep", lambda seconds: events.append(("sleep", seconds)))
    monkeypatch.setattr(timing.time, "perf_counter", lambda: float(next(clock)))
    contenders = {"read": lambda: events.append("read"), "gradient": lambda: events.append("grad")}
    times = timing.side_by_side(contenders, rounds=3, settle=0.5)
    assert events == [("sleep", 0.5), "read", ("sleep", 0.5), "grad"] * 3
    # Each time is the clock after the call less the clock before it, nothing else.
    assert times == {"read": [1.0, 1.0, 1.0], "gradient": [1.0, 1.0, 1.0]}


def test_ratios_are_paired_round_by_round():
    # Round by round the gradient takes twice the read; the ratio of the two
    # medians (4 / 1.5) would say otherwise.
    times = {"read": [1.0, 1.5, 8.0], "gradient": [2.0, 3.0, 16.0], "other": [4.0, 4.0, 4.0]}
    ratios = timing.median_ratios(times, "read")
    assert ratios == {"read": 1.0, "gradient": 2.0, "other": pytest.approx(8 / 3)}
