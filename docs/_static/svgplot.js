// A small line plot in SVG for the book's interactive figures (trainer.js, stepsize.js):
// axes with ticks and labels, named lines and markers, linear or logarithmic scales.
// Plain SVG rather than a charting library: the two figures need a few dozen lines of
// drawing, and everything they draw is served by the book itself.
window.xentropySvgPlot = (function () {
  "use strict";

  const SVG = "http://www.w3.org/2000/svg";
  const WIDTH = 360;
  const HEIGHT = 240;
  const MARGIN = { left: 58, right: 12, top: 12, bottom: 44 };

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (parent) parent.appendChild(node);
    return node;
  }

  // Round numbers for the ticks of a linear axis: 1, 2 or 5 times a power of ten.
  function linearTicks(min, max) {
    const rough = (max - min) / 5;
    const power = 10 ** Math.floor(Math.log10(rough));
    const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
    const ticks = [];
    for (let t = Math.ceil(min / step) * step; t <= max + step * 1e-9; t += step) {
      ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return ticks.map((t) => ({ value: t, label: [String(Number(t.toPrecision(6)))] }));
  }

  // Powers of ten, at most six of them labelled; a label is [base, exponent].
  function logTicks(min, max) {
    const low = Math.ceil(Math.log10(min));
    const high = Math.floor(Math.log10(max));
    const every = Math.max(1, Math.ceil((high - low + 1) / 6));
    const ticks = [];
    for (let e = high; e >= low; e -= every) {
      const label = e === 0 ? ["1"] : ["10", String(e).replace("-", "−")];
      ticks.push({ value: 10 ** e, label });
    }
    return ticks;
  }

  function create(svg, { x, y }) {
    svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
    svg.classList.add("xentropy-svgplot");
    const axes = element("g", { class: "axes" }, svg);
    const data = element("g", { class: "data" }, svg);
    const named = new Map();
    const scales = { x: { ...x }, y: { ...y } };

    function position(axis, value) {
      const { min, max, log } = scales[axis];
      const [from, to] = axis === "x"
        ? [MARGIN.left, WIDTH - MARGIN.right]
        : [HEIGHT - MARGIN.bottom, MARGIN.top];
      const t = log
        ? (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))
        : (value - min) / (max - min);
      // A reversed axis (the step h, decreasing to the right, as in the page's figure).
      return from + (scales[axis].reversed ? 1 - t : t) * (to - from);
    }

    function tickLabel(parent, label, attributes) {
      const text = element("text", attributes, parent);
      text.textContent = label[0];
      if (label.length > 1) {
        const exponent = element("tspan", { dy: "-0.5em", "font-size": "75%" }, text);
        exponent.textContent = label[1];
      }
    }

    function drawAxes() {
      axes.replaceChildren();
      const left = MARGIN.left;
      const bottom = HEIGHT - MARGIN.bottom;
      element("rect", {
        x: left, y: MARGIN.top, width: WIDTH - MARGIN.left - MARGIN.right,
        height: bottom - MARGIN.top, class: "frame",
      }, axes);
      for (const axis of ["x", "y"]) {
        const { min, max, log, label } = scales[axis];
        for (const tick of (log ? logTicks : linearTicks)(min, max)) {
          const p = position(axis, tick.value);
          if (axis === "x") {
            element("line", { x1: p, x2: p, y1: MARGIN.top, y2: bottom, class: "grid" }, axes);
            tickLabel(axes, tick.label, { x: p, y: bottom + 16, "text-anchor": "middle" });
          } else {
            const right = WIDTH - MARGIN.right;
            element("line", { x1: left, x2: right, y1: p, y2: p, class: "grid" }, axes);
            tickLabel(axes, tick.label, { x: left - 6, y: p + 4, "text-anchor": "end" });
          }
        }
        const title = element("text", { class: "axis-label", "text-anchor": "middle" }, axes);
        title.textContent = label;
        if (axis === "x") {
          title.setAttribute("x", (left + WIDTH - MARGIN.right) / 2);
          title.setAttribute("y", HEIGHT - 6);
        } else {
          const middle = (MARGIN.top + bottom) / 2;
          title.setAttribute("transform", `translate(14 ${middle}) rotate(-90)`);
        }
      }
    }

    // The element called name, created on first use; its class is set anew each time (a
    // line changes colour with the cost it shows).
    function get(name, tag, className) {
      if (!named.has(name)) named.set(name, element(tag, {}, data));
      const node = named.get(name);
      node.setAttribute("class", className);
      return node;
    }

    drawAxes();
    return {
      /** Change an axis' range, and its label if given, and redraw the axes; the lines are
       * redrawn by the caller. */
      setRange(axis, min, max, label = scales[axis].label) {
        Object.assign(scales[axis], { min, max, label });
        drawAxes();
      },
      /** Draw (or replace) the line called name through points [[x, y], ...]. */
      line(name, points, className) {
        const path = get(name, "path", className);
        const xy = ([px, py]) =>
          `${position("x", px).toFixed(2)},${position("y", py).toFixed(2)}`;
        path.setAttribute("d", points.length ? "M" + points.map(xy).join("L") : "");
        return path;
      },
      /** Put the dot called name at point [x, y], or hide it when point is null. */
      marker(name, point, className) {
        const dot = get(name, "circle", className);
        dot.setAttribute("r", 4);
        if (point) {
          dot.setAttribute("cx", position("x", point[0]).toFixed(2));
          dot.setAttribute("cy", position("y", point[1]).toFixed(2));
        }
        dot.style.display = point ? "" : "none";
        return dot;
      },
    };
  }

  return { create };
})();
