"""xentropy.figures: panels that wrap, each named; one PNG for the PDF; bad input named."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from xentropy.figures import panels


@pytest.fixture
def drawings():
    one, two = plt.figure(figsize=(2, 2)), plt.figure(figsize=(2, 2))
    one.add_subplot().plot([0, 1], [1, 0])
    two.add_subplot().plot([0, 1], [0, 1])
    both = plt.figure(figsize=(4, 2))
    yield one, two, both
    plt.close("all")


def test_each_panel_is_its_own_named_drawing(drawings) -> None:
    one, two, both = drawings
    shown = panels([one, two], ["falls", "rises"], both)._repr_html_()
    assert shown.startswith('<div class="xentropy-panels">')
    assert shown.count("<svg") == 2
    assert 'aria-label="falls"' in shown
    assert 'aria-label="rises"' in shown
    assert "data-measured" not in shown


def test_panels_from_measurements_are_marked(drawings) -> None:
    one, two, both = drawings
    shown = panels([one, two], ["a", "b"], both, measured=True)._repr_html_()
    assert shown.startswith('<div class="xentropy-panels" data-measured>')


def test_an_alt_text_for_every_panel(drawings) -> None:
    one, two, both = drawings
    with pytest.raises(ValueError, match="alts must give one text per figure: 2 figures, got 1"):
        panels([one, two], ["only one"], both)
