// The one-neuron trainer of the learning-slowdown page: gradient descent on one sigmoid
// neuron with one input, run in the browser with the formulas and in the order of the
// page's Python, so that from the page's settings it ends where the executed Python ended.
//
// The page's executed cell hands over its settings and results as JSON
// (#xentropy-trainer-data): the input x and the target y, and for every run of the page its
// cost, start (w, b), learning rate η, number of epochs and final output. The settings fill
// the controls; the final outputs are only shown beside the browser's own, never used to
// compute anything.
(function () {
  "use strict";

  // σ(z) = 1/(1 + e^(−z)) as xentropy.sigmoid computes it: with e = e^(−|z|), which
  // never overflows, σ = 1/(1 + e) for z ≥ 0 and e/(1 + e) for z < 0.
  function sigmoid(z) {
    const e = Math.exp(-Math.abs(z));
    return (z >= 0 ? 1 : e) / (1 + e);
  }

  // The two costs of one example and their δ = ∂cost/∂b (and ∂cost/∂w = x δ), each
  // written as the page's Python writes it. a = σ(z) is the output, y the target.
  const COSTS = {
    quadratic: {
      symbol: "Q",
      // Q = (y − a)²/2, as quadratic_cost on the page.
      cost: (z, a, y) => ((y - a) * (y - a)) / 2,
      // δ = (a − y) σ′(z) with σ′(z) = a(1 − a), as quadratic_gradient on the page.
      delta: (z, a, y) => (a - y) * a * (1 - a),
    },
    "cross-entropy": {
      symbol: "C",
      // C = ln(1 + e^(−|z|)) + (1 − y) z for z ≥ 0, ln(1 + e^(−|z|)) − y z for z < 0: the
      // two non-negative terms of xentropy.cost.
      cost: (z, a, y) => Math.log1p(Math.exp(-Math.abs(z))) + (z >= 0 ? (1 - y) * z : y * -z),
      // δ = σ(z) − y, formed as xentropy.gradient forms it for a target of 0 or 1:
      // ((1 − y) p − y q)/(1 + e) with (p, q) = (1, e) for z ≥ 0 and (e, 1) for z < 0, so
      // nothing cancels. (Its other branch, for targets strictly between 0 and 1, is not
      // needed: the page's target is 0 and the trainer refuses any other kind.)
      delta: (z, a, y) => {
        const e = Math.exp(-Math.abs(z));
        const [p, q] = z >= 0 ? [1, e] : [e, 1];
        return ((1 - y) * p - y * q) / (1 + e);
      },
    },
  };

  // The outputs and costs at epochs 0..epochs: the record is taken before each update, and
  // the update is w ← w − η x δ, b ← b − η δ, in the order of train() on the page.
  function train({ cost, w, b, eta, epochs }, x, y) {
    const { cost: costOf, delta } = COSTS[cost];
    const outputs = [];
    const costs = [];
    for (let epoch = 0; epoch <= epochs; epoch++) {
      const z = x * w + b;
      const a = sigmoid(z);
      outputs.push(a);
      costs.push(costOf(z, a, y));
      if (epoch < epochs) {
        const d = delta(z, a, y);
        w = w - eta * (x * d);
        b = b - eta * d;
      }
    }
    return { outputs, costs };
  }

  // ---- The widget --------------------------------------------------------------------------

  const LIMITS = {
    w: { min: -100, max: 100, name: "the starting weight w" },
    b: { min: -100, max: 100, name: "the starting bias b" },
    eta: { min: 0, max: 100, name: "the learning rate η", above: true },
    epochs: { min: 1, max: 10000, name: "the number of epochs", integer: true },
  };
  // About two seconds of animation at 60 frames a second, whatever the number of epochs.
  const FRAMES = 120;

  function format(value, digits = 4) {
    return Number(value.toPrecision(digits)).toString();
  }

  function describe(settings) {
    const { cost, eta, w, b } = settings;
    return `${cost} cost, η = ${eta}, from (w, b) = (${w}, ${b})`;
  }

  function setUp(root, data) {
    const $ = (selector) => root.querySelector(selector);
    const form = $("form");
    const fields = { w: $("#xt-w"), b: $("#xt-b"), eta: $("#xt-eta"), epochs: $("#xt-epochs") };
    const preset = $("#xt-preset");
    const slider = $("#xt-epoch");
    const shown = $("#xt-epoch-value");
    const status = $("#xt-status");
    const finalJs = $("#xt-final-js");
    const finalPy = $("#xt-final-py");
    const difference = $("#xt-difference");
    const legendRun = $("#xt-legend-run");
    const legendPrevious = $("#xt-legend-previous");
    const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
    if (data.target !== 0 && data.target !== 1) {
      throw new Error(`the trainer handles a target of 0 or 1, the page gave ${data.target}`);
    }

    const outputPlot = window.xentropySvgPlot.create($("#xt-output-plot"), {
      x: { min: 0, max: 1, label: "epoch" },
      y: { min: 0, max: 1, label: "output a" },
    });
    const costPlot = window.xentropySvgPlot.create($("#xt-cost-plot"), {
      x: { min: 0, max: 1, label: "epoch" },
      y: { min: 0, max: 1, label: "cost" },
    });

    let run = null; // {settings, outputs, costs}: the trajectory of the current settings
    let previous = null; // the last run that was played, drawn dashed for comparison
    let epoch = 0; // the epoch shown
    let animation = null;

    data.runs.forEach((r, index) => {
      const option = document.createElement("option");
      option.value = String(index);
      option.textContent = `${r.cost}, η = ${r.eta}, from (${r.w}, ${r.b}), ${r.epochs} epochs`;
      preset.appendChild(option);
    });
    // Shown in the list while the controls hold settings of the reader's own.
    const own = document.createElement("option");
    own.value = "own";
    own.textContent = "(your own settings)";
    own.disabled = true;
    preset.appendChild(own);

    // The settings in the controls, or null after saying in the status line what is wrong.
    function readSettings() {
      const settings = { cost: form.elements["xt-cost"].value };
      for (const [key, field] of Object.entries(fields)) {
        const limit = LIMITS[key];
        const value = field.value.trim() === "" ? NaN : Number(field.value);
        const ok = Number.isFinite(value) && value <= limit.max &&
          (limit.above ? value > limit.min : value >= limit.min) &&
          (!limit.integer || Number.isInteger(value));
        field.setAttribute("aria-invalid", String(!ok));
        if (!ok) {
          const kind = limit.integer ? "a whole number" : "a number";
          const lower = limit.above ? `above ${limit.min}` : `from ${limit.min}`;
          status.textContent = `Enter ${kind} ${lower} to ${limit.max} for ${limit.name}.`;
          return null;
        }
        settings[key] = value;
      }
      return settings;
    }

    function pageRun(settings) {
      return data.runs.find((r) =>
        ["cost", "w", "b", "eta", "epochs"].every((key) => r[key] === settings[key]));
    }

    function sameSettings(a, b) {
      return ["cost", "w", "b", "eta", "epochs"].every((key) => a[key] === b[key]);
    }

    function points(values, last) {
      return values.slice(0, last + 1).map((v, i) => [i, v]);
    }

    function draw() {
      const { outputs, costs, settings } = run;
      outputPlot.line("run", points(outputs, epoch), `line ${settings.cost}`);
      costPlot.line("run", points(costs, epoch), `line ${settings.cost}`);
      outputPlot.marker("now", [epoch, outputs[epoch]], `marker ${settings.cost}`);
      costPlot.marker("now", [epoch, costs[epoch]], `marker ${settings.cost}`);
      slider.value = String(epoch);
      shown.textContent = `${epoch} of ${settings.epochs}`;
      root.dataset.epoch = String(epoch);
      const done = epoch === settings.epochs;
      finalJs.textContent = done ? String(outputs[epoch]) : "(run to the last epoch)";
      const match = pageRun(settings);
      preset.value = match ? String(data.runs.indexOf(match)) : "own";
      finalPy.textContent = match ? String(match.final) : "(not one of the page's runs)";
      const gap = done && match ? Math.abs(outputs[epoch] - match.final) : null;
      difference.textContent = gap === null ? "" : gap === 0 ? "0 (the same float64)"
        : gap.toExponential(1).replace("e-", "e−");
    }

    function announce() {
      const { settings, outputs, costs } = run;
      const symbol = COSTS[settings.cost].symbol;
      status.textContent = `Epoch ${epoch} of ${settings.epochs}: ` +
        `output a = ${format(outputs[epoch])}, cost ${symbol} = ${format(costs[epoch])} ` +
        `(${describe(settings)}).`;
    }

    function redrawAll() {
      const { settings, costs } = run;
      const longest = Math.max(settings.epochs, previous ? previous.settings.epochs : 0);
      const top = Math.max(...costs, ...(previous ? previous.costs : []));
      for (const plot of [outputPlot, costPlot]) plot.setRange("x", 0, longest);
      const symbol = COSTS[settings.cost].symbol;
      const other = previous && previous.settings.cost !== settings.cost
        ? `; dashed, ${COSTS[previous.settings.cost].symbol}` : "";
      costPlot.setRange("y", 0, top > 0 ? top * 1.05 : 1, `cost ${symbol}${other}`);
      const last = previous ? previous.settings.epochs : -1;
      outputPlot.line("previous", previous ? points(previous.outputs, last) : [], "line previous");
      costPlot.line("previous", previous ? points(previous.costs, last) : [], "line previous");
      legendRun.textContent = `this run: ${describe(settings)}`;
      legendRun.className = `line-key ${settings.cost}`;
      legendPrevious.textContent = previous ? `previous run: ${describe(previous.settings)}` : "";
      legendPrevious.hidden = !previous;
      draw();
    }

    function stop() {
      if (animation !== null) cancelAnimationFrame(animation);
      animation = null;
      root.dataset.state = "idle";
    }

    // Recompute the trajectory when the settings changed; the run that was played becomes
    // the dashed comparison. Returns false (and says why) when a control holds no number.
    function refresh() {
      const settings = readSettings();
      if (!settings) return false;
      if (run && sameSettings(run.settings, settings)) return true;
      if (run && epoch > 0) previous = run;
      run = { settings, ...train(settings, data.input, data.target) };
      slider.max = String(settings.epochs);
      epoch = 0;
      status.textContent = "";
      redrawAll();
      return true;
    }

    function play() {
      stop();
      if (!refresh()) return;
      if (epoch === run.settings.epochs) epoch = 0;
      if (reducedMotion.matches) {
        // No animation: the final state at once.
        epoch = run.settings.epochs;
        draw();
        announce();
        return;
      }
      const perFrame = Math.max(1, Math.ceil(run.settings.epochs / FRAMES));
      root.dataset.state = "running";
      status.textContent = `Running ${run.settings.epochs} epochs (${describe(run.settings)}).`;
      const frame = () => {
        epoch = Math.min(run.settings.epochs, epoch + perFrame);
        draw();
        if (epoch < run.settings.epochs) {
          animation = requestAnimationFrame(frame);
        } else {
          stop();
          announce();
        }
      };
      animation = requestAnimationFrame(frame);
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      play();
    });
    $("#xt-step").addEventListener("click", () => {
      stop();
      if (!refresh()) return;
      epoch = Math.min(run.settings.epochs, epoch + 1);
      draw();
      announce();
    });
    $("#xt-reset").addEventListener("click", () => {
      stop();
      if (!refresh()) return;
      epoch = 0;
      draw();
      announce();
    });
    slider.addEventListener("input", () => {
      stop();
      if (!refresh()) return;
      epoch = Number(slider.value);
      draw();
    });
    // A new cost, start, rate or length shows the new run at epoch 0 (typing is left alone
    // until the field is left, so a half-typed number is not reported as a mistake).
    form.addEventListener("change", (event) => {
      if (event.target === preset || event.target === slider) return;
      stop();
      refresh();
    });
    preset.addEventListener("change", () => {
      const chosen = data.runs[Number(preset.value)];
      for (const key of Object.keys(fields)) fields[key].value = String(chosen[key]);
      form.elements["xt-cost"].value = chosen.cost;
      stop();
      refresh();
    });

    preset.dispatchEvent(new Event("change"));
    root.dataset.ready = "true";
  }

  function start() {
    const root = document.getElementById("xentropy-trainer");
    const source = document.getElementById("xentropy-trainer-data");
    if (root && source) setUp(root, JSON.parse(source.textContent));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
