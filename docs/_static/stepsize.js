// The step-size slider of the numeric-check page: central differences of the cross-entropy
// cost on the page's data, computed in the browser at the step the reader picks, against
// the complex-step gradient that the page's Python computed.
//
// The page's executed cell hands over as JSON (#xentropy-stepsize-data): the data X and y,
// the point θ = (w_1, ..., w_k, b), the complex-step gradient at θ (the reference), the steps
// h of the page's figure and the worst relative error the figure plots at each. The browser
// computes its own central differences; the figure's values are drawn as the line it moves
// along, and shown beside its own.
(function () {
  "use strict";

  // NumPy's sum of a contiguous float64 array (pairwise summation: eight running sums, then
  // added in pairs, the last few terms one by one), so the cost adds its terms in the order
  // xentropy.cost adds them. Written for n ≤ 128, where NumPy does not split further.
  function numpySum(terms) {
    const n = terms.length;
    if (n > 128) throw new Error(`numpySum handles up to 128 terms, got ${n}`);
    if (n < 8) return terms.reduce((s, t) => s + t, 0);
    const r = terms.slice(0, 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += terms[i + j];
    }
    let sum = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) sum += terms[i];
    return sum;
  }

  // C(θ) = (1/n) Σ_i ℓ(z_i, y_i) with z_i = Σ_m X_im w_m + b and ℓ(z, y) =
  // ln(1 + e^(−|z|)) + (1 − y) z for z ≥ 0, ln(1 + e^(−|z|)) − y z for z < 0: the two
  // non-negative terms of xentropy.cost.
  function cost(theta, X, y) {
    const k = theta.length - 1;
    const terms = X.map((row, i) => {
      let z = 0;
      for (let m = 0; m < k; m++) z += row[m] * theta[m];
      z += theta[k];
      return Math.log1p(Math.exp(-Math.abs(z))) + (z >= 0 ? (1 - y[i]) * z : y[i] * -z);
    });
    return numpySum(terms) / terms.length;
  }

  // D_i = (C(θ + h_i e_i) − C(θ − h_i e_i)) / ((θ_i + h_i) − (θ_i − h_i)), with
  // h_i = h max(1, |θ_i|), as xentropy.gradcheck.central_difference: the divisor is the
  // step actually taken.
  function centralDifference(theta, h, X, y) {
    return theta.map((value, i) => {
      const hi = h * Math.max(1, Math.abs(value));
      const up = theta.slice();
      const down = theta.slice();
      up[i] += hi;
      down[i] -= hi;
      return (cost(up, X, y) - cost(down, X, y)) / (up[i] - down[i]);
    });
  }

  // |a − b| / max(|a|, |b|), two zeros agreeing, as xentropy.gradcheck.relative_error.
  function relativeError(a, b) {
    const scale = Math.max(Math.abs(a), Math.abs(b));
    return Math.abs(a - b) / (scale > 0 ? scale : 1);
  }

  // ---- The widget --------------------------------------------------------------------------

  function exponential(value, digits = 2) {
    return value.toExponential(digits).replace("e+", "e").replaceAll("-", "−");
  }

  // Two numbers one above the other, to 16 significant digits, the leading digits they share
  // marked in the lower one.
  function stacked(cell, reference, value) {
    const above = reference.toPrecision(16);
    const below = value.toPrecision(16);
    let same = 0;
    while (same < below.length && below[same] === above[same]) same++;
    const top = document.createElement("span");
    top.className = "num";
    top.textContent = above;
    const bottom = document.createElement("span");
    bottom.className = "num";
    const mark = document.createElement("span");
    mark.className = "agree";
    mark.textContent = below.slice(0, same);
    bottom.append(mark, below.slice(same));
    cell.replaceChildren(top, document.createElement("br"), bottom);
  }

  function setUp(root, data) {
    const $ = (selector) => root.querySelector(selector);
    const slider = $("#xs-step");
    const shown = $("#xs-step-value");
    const rows = $("#xs-rows");
    const status = $("#xs-status");
    const worstJs = $("#xs-worst-js");
    const worstPy = $("#xs-worst-py");
    const { X, y, theta, reference, steps, plotted, floor, names } = data;

    const plot = window.xentropySvgPlot.create($("#xs-plot"), {
      x: { min: Math.min(...steps) / 2, max: Math.max(...steps) * 2, log: true, reversed: true,
        label: "step h" },
      y: { min: floor / 3, max: 3, log: true, label: "worst relative error" },
    });
    plot.line("figure", steps.map((h, i) => [h, plotted[i]]), "line figure");

    const cells = names.map((name) => {
      const row = document.createElement("tr");
      const header = document.createElement("th");
      header.scope = "row";
      header.textContent = name;
      const values = [document.createElement("td"), document.createElement("td")];
      row.append(header, ...values);
      rows.appendChild(row);
      return values;
    });

    slider.max = String(steps.length - 1);

    function update() {
      const index = Number(slider.value);
      const h = steps[index];
      const estimate = centralDifference(theta, h, X, y);
      const errors = estimate.map((d, i) => relativeError(d, reference[i]));
      const worst = Math.max(...errors);
      estimate.forEach((d, i) => {
        stacked(cells[i][0], reference[i], d);
        cells[i][1].textContent = exponential(errors[i]);
      });
      const label = `h = ${exponential(h, 1)}`;
      shown.textContent = label;
      slider.setAttribute("aria-valuetext", label);
      // The figure draws an error of exactly 0 at its floor; so does this dot.
      plot.marker("browser", [h, Math.max(worst, floor)], "marker browser");
      // Three digits carry the meaning; the full values are kept for the book's tests.
      worstJs.textContent = exponential(worst);
      worstJs.dataset.value = String(worst);
      worstPy.textContent = exponential(plotted[index]);
      worstPy.dataset.value = String(plotted[index]);
      status.textContent = `At ${label} the worst relative error of central differences is ` +
        `${exponential(worst)} (the page's figure: ${exponential(plotted[index])}).`;
      root.dataset.index = String(index);
    }

    slider.addEventListener("input", update);
    update();
    root.dataset.ready = "true";
  }

  function start() {
    const root = document.getElementById("xentropy-stepsize");
    const source = document.getElementById("xentropy-stepsize-data");
    if (root && source) setUp(root, JSON.parse(source.textContent));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
