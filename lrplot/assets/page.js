// lrplot's interactive page: one uPlot chart per panel of the figure model.
// Every value comes from the JSON block #lrplot-data; text is set with
// textContent, never parsed as HTML. window.lrplot exposes the charts to tests.
(function () {
  "use strict";
  const model = JSON.parse(document.getElementById("lrplot-data").textContent);
  const charts = [];
  let logY = model.panels.some((p) => p.log_y);
  let syncing = false;

  // Python's repr of a float, as the CSV writes it: the same shortest digits JS
  // finds, in Python's notation (exponent below 1e-4 and from 1e16; "1.0").
  function pyRepr(v) {
    if (typeof v === "string") return v; // inf, -inf, nan
    if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
    const [mantissa, expText] = Math.abs(v).toExponential().split("e");
    const exp = parseInt(expText, 10);
    const digits = mantissa.replace(".", "");
    const sign = v < 0 ? "-" : "";
    if (exp <= -5 || exp >= 16) {
      const m = digits.length > 1 ? digits[0] + "." + digits.slice(1) : digits;
      const e = Math.abs(exp) < 10 ? "0" + Math.abs(exp) : String(Math.abs(exp));
      return sign + m + "e" + (exp < 0 ? "-" : "+") + e;
    }
    if (exp < 0) return sign + "0." + "0".repeat(-exp - 1) + digits;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, "0");
    return sign + whole + "." + (digits.slice(exp + 1) || "0");
  }

  // An axis tick: six significant digits at most, an exponent for small lrs (2e-05, not 0).
  function tick(v) {
    if (v == null) return ""; // a log axis leaves out some of its splits
    const r = Number(v.toPrecision(6));
    if (r === 0) return "0";
    return Math.abs(r) < 1e-3 || Math.abs(r) >= 1e7 ? r.toExponential() : String(r);
  }

  // A step tick: 2.005M, 150k, 300 (the terminal's engineering form, with the digits a zoom needs).
  function stepTick(v) {
    if (v == null) return "";
    const a = Math.abs(v);
    const short = (x) => String(Number(x.toPrecision(6)));
    return a >= 1e6 ? short(v / 1e6) + "M" : a >= 1e4 ? short(v / 1e3) + "k" : short(v);
  }

  function stepText(x) {
    return Number.isInteger(x) ? String(x) : pyRepr(x);
  }

  function nearest(xs, x) {
    let lo = 0, hi = xs.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (xs[mid] <= x) lo = mid; else hi = mid;
    }
    return Math.abs(xs[hi] - x) < Math.abs(xs[lo] - x) ? hi : lo;
  }

  // Series of one panel on one x axis (the union of their kept steps), as uPlot wants.
  function aligned(panel, log) {
    const xs = Array.from(new Set(panel.series.flatMap((s) => s.x))).sort((a, b) => a - b);
    const at = new Map(xs.map((x, i) => [x, i]));
    const columns = panel.series.map((s) => {
      const column = new Array(xs.length).fill(null);
      s.x.forEach((x, i) => {
        const v = s.y[i];
        column[at.get(x)] = typeof v !== "number" || (log && v <= 0) ? null : v;
      });
      return column;
    });
    return [xs, ...columns];
  }

  function drawMarks(u, panel) {
    const ctx = u.ctx, box = u.bbox, ratio = devicePixelRatio;
    ctx.save();
    ctx.beginPath();
    ctx.rect(box.left, box.top, box.width, box.height);
    ctx.clip();
    for (const mark of panel.marks) {
      const x = Math.round(u.valToPos(mark.x, "x", true)) + 0.5;
      ctx.strokeStyle = mark.color;
      ctx.lineWidth = mark.width * ratio;
      ctx.setLineDash(mark.dash.map((d) => d * ratio));
      ctx.beginPath();
      ctx.moveTo(x, box.top);
      ctx.lineTo(x, box.top + box.height);
      ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.font = `${11 * ratio}px sans-serif`;
    for (const note of panel.notes) {
      ctx.fillStyle = note.color;
      ctx.textAlign = note.ha === "left" ? "left" : note.ha === "right" ? "right" : "center";
      ctx.textBaseline = note.va === "top" ? "top" : note.va === "bottom" ? "bottom" : "middle";
      const x = u.valToPos(note.x, "x", true) + note.dx * ratio;
      const y = (note.y_in_axes ? box.top + (1 - note.y) * box.height : u.valToPos(note.y, "y", true)) - note.dy * ratio;
      ctx.fillText(note.text, x, y + (note.y_in_axes && note.va === "top" ? 3 * ratio : 0));
    }
    ctx.restore();
  }

  function readout(chart) {
    const u = chart.u, idx = u.cursor.idx;
    if (idx == null) return;
    const x = u.data[0][idx];
    const k = chart.panel.epoch_length;
    chart.xValue.textContent = stepText(x) + (k ? ` (epoch ${pyRepr(x / k)})` : "");
    chart.panel.series.forEach((s, i) => {
      const value = chart.entries[i].querySelector(".value");
      if (!s.x.length || x < s.x[0] || x > s.x[s.x.length - 1]) {
        value.textContent = "-"; // this curve has no step here (a resumed run, a shorter curve)
        return;
      }
      const j = nearest(s.x, x);
      value.textContent = pyRepr(s.y[j]) + (s.x[j] !== x ? ` at ${chart.panel.x_name} ${stepText(s.x[j])}` : "");
    });
  }

  // A view within the data: zoomed out to all of it at most, panned no further than its ends.
  function clamp(chart, min, max) {
    const [first, last] = chart.full;
    const width = Math.min(max - min, last - first);
    if (min < first) return [first, first + width];
    if (max > last) return [last - width, last];
    return [min, max];
  }

  function zoomAll(min, max, from) {
    if (syncing) return;
    syncing = true;
    for (const chart of charts) if (chart.u !== from) chart.u.setScale("x", { min, max });
    syncing = false;
  }

  function build(chart) {
    const panel = chart.panel;
    const log = logY && panel.quantity === "lr";
    const width = Math.max(300, chart.box.clientWidth);
    const k = panel.epoch_length;
    const axes = [
      {
        label: panel.xlabel || model.supxlabel || "", stroke: "#333", grid: { stroke: "rgba(0,0,0,0.08)" },
        space: 70, values: (u, splits) => splits.map(stepTick),
      },
      {
        label: panel.ylabel || model.supylabel || "", stroke: "#333", size: 80, grid: { stroke: "rgba(0,0,0,0.08)" },
        values: (u, splits) => splits.map(tick),
      },
    ];
    if (k) {
      axes.push({
        scale: "x", side: 0, label: "epoch", stroke: "#333", grid: { show: false },
        splits: (u, i, min, max) => {
          const first = Math.ceil(min / k), last = Math.floor(max / k);
          const every = Math.max(1, Math.ceil((last - first + 1) / 10));
          const out = [];
          for (let e = first; e <= last; e += every) out.push(e * k);
          return out;
        },
        values: (u, splits) => splits.map((v) => String(Math.round(v / k))),
      });
    }
    const series = [{ label: panel.x_name }].concat(panel.series.map((s) => ({
      label: s.label || "", stroke: s.color, width: s.width, dash: s.dash, spanGaps: true,
      paths: s.points ? () => null : undefined,
      points: s.points || s.x.length < 2 ? { show: true, size: s.size || 6, stroke: s.color, fill: s.color } : { show: false },
    })));
    const previous = chart.u;
    const opts = {
      width, height: panel.quantity === "lr" ? 380 : 240,
      series, axes,
      scales: {
        x: { time: false, range: panel.x_range || ((u, min, max) => (min === max ? [min - 1, max + 1] : [min, max])) },
        y: log ? { distr: 3, log: 10 } : panel.quantity === "lr" ? { range: fromZero } : {},
      },
      legend: { show: false },
      cursor: { sync: { key: "lrplot" }, drag: { x: true, y: false, setScale: true } },
      hooks: {
        draw: [(u) => drawMarks(u, panel)],
        setCursor: [() => readout(chart)],
        setScale: [(u, key) => { if (key === "x") zoomAll(u.scales.x.min, u.scales.x.max, u); }],
      },
    };
    const data = aligned(panel, log);
    chart.empty.hidden = !(log && data.slice(1).every((column) => column.every((v) => v == null)));
    if (previous) previous.destroy();
    chart.u = new uPlot(opts, data, chart.box);
    chart.full = [data[0][0], data[0][data[0].length - 1]];
    chart.u.series.forEach((s, i) => { if (i > 0 && chart.hidden.has(i)) chart.u.setSeries(i, { show: false }); });
    if (previous) chart.u.setScale("x", { min: chart.zoom[0], max: chart.zoom[1] });
    pan(chart);
  }

  // A linear lr axis shows 0, as the PNG's does, so a floor reads as one.
  function fromZero(u, min, max) {
    const low = Math.min(0, min), high = Math.max(0, max), pad = (high - low || 1) * 0.04;
    return [low - pad, high + pad];
  }

  // Shift-drag pans; the wheel zooms around the pointer; both on x, for every chart.
  function pan(chart) {
    const over = chart.u.over;
    over.addEventListener("wheel", (e) => {
      e.preventDefault();
      const u = chart.u, { min, max } = u.scales.x;
      const at = u.posToVal(e.offsetX, "x");
      const f = e.deltaY < 0 ? 0.8 : 1.25;
      const [lo, hi] = clamp(chart, at - (at - min) * f, at + (max - at) * f);
      u.setScale("x", { min: lo, max: hi });
    }, { passive: false });
  }

  function panDrag(chart, e) {
    const u = chart.u, start = e.clientX, { min, max } = u.scales.x;
    const perPixel = (max - min) / u.over.clientWidth;
    const move = (m) => {
      const shift = (m.clientX - start) * perPixel;
      const [lo, hi] = clamp(chart, min - shift, max - shift);
      u.setScale("x", { min: lo, max: hi });
    };
    const up = () => { removeEventListener("mousemove", move); removeEventListener("mouseup", up); };
    addEventListener("mousemove", move);
    addEventListener("mouseup", up);
  }

  function legend(chart) {
    chart.legend.textContent = "";
    const x = document.createElement("div");
    x.className = "entry x";
    const name = document.createElement("span");
    name.textContent = chart.panel.x_name + " ";
    chart.xValue = document.createElement("b");
    chart.xValue.textContent = "-";
    x.append(name, chart.xValue);
    chart.legend.append(x);
    chart.entries = chart.panel.series.map((s, i) => {
      const entry = document.createElement("button");
      entry.type = "button";
      entry.className = "entry";
      entry.title = "click to hide or show";
      const swatch = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      swatch.setAttribute("width", "28");
      swatch.setAttribute("height", "10");
      const line = document.createElementNS("http://www.w3.org/2000/svg", s.points ? "circle" : "line");
      if (s.points) {
        line.setAttribute("cx", "14"); line.setAttribute("cy", "5"); line.setAttribute("r", "3");
        line.setAttribute("fill", s.color);
      } else {
        line.setAttribute("x1", "0"); line.setAttribute("x2", "28"); line.setAttribute("y1", "5"); line.setAttribute("y2", "5");
        line.setAttribute("stroke", s.color); line.setAttribute("stroke-width", String(s.width));
        if (s.dash.length) line.setAttribute("stroke-dasharray", s.dash.join(" "));
      }
      swatch.append(line);
      const label = document.createElement("span");
      label.className = "label";
      label.textContent = s.label || model.quantityNames[chart.panel.quantity] || chart.panel.quantity;
      const value = document.createElement("span");
      value.className = "value";
      entry.append(swatch, label, value);
      entry.addEventListener("click", () => {
        const shown = !chart.hidden.has(i + 1);
        if (shown) chart.hidden.add(i + 1); else chart.hidden.delete(i + 1);
        chart.u.setSeries(i + 1, { show: !shown });
        entry.classList.toggle("off", shown);
      });
      chart.legend.append(entry);
      return entry;
    });
  }

  const root = document.getElementById("charts");
  if (model.grid) root.classList.add("grid");
  model.panels.forEach((panel) => {
    const figure = document.createElement("figure");
    const title = document.createElement("figcaption");
    title.textContent = panel.title;
    const box = document.createElement("div");
    box.className = "chart";
    const legendBox = document.createElement("div");
    legendBox.className = "legend";
    const empty = document.createElement("p");
    empty.className = "note";
    empty.hidden = true;
    empty.textContent = "No value above 0: a log axis has nothing to show here; turn log y off.";
    figure.append(title, box, empty, legendBox);
    const thinned = panel.series.find((s) => s.of);
    if (thinned) {
      const note = document.createElement("p");
      note.className = "note";
      const every = thinned.run;
      note.textContent = `Drawn from ${thinned.x.length.toLocaleString("en")} of ${thinned.of.toLocaleString("en")} ` +
        `steps: each run of ${every.toLocaleString("en")} keeps its lowest and highest value, so zoomed in, lines ` +
        "join kept steps. The readout shows the nearest kept step; the CSV has every value.";
      figure.append(note);
    }
    root.append(figure);
    const chart = { panel, box, legend: legendBox, empty, hidden: new Set(), u: null, zoom: null };
    charts.push(chart);
    legend(chart);
    box.addEventListener("mousedown", (e) => {
      if (e.shiftKey) { e.stopPropagation(); e.preventDefault(); panDrag(chart, e); }
    }, true);
  });
  charts.forEach(build);

  function reset() {
    for (const chart of charts) chart.u.setScale("x", { min: chart.full[0], max: chart.full[1] });
  }
  document.getElementById("reset").addEventListener("click", reset);
  const logBox = document.getElementById("log-y");
  logBox.checked = logY;
  logBox.addEventListener("change", () => {
    logY = logBox.checked;
    for (const chart of charts) {
      chart.zoom = [chart.u.scales.x.min, chart.u.scales.x.max];
      if (chart.panel.quantity === "lr") build(chart);
    }
  });
  addEventListener("resize", () => {
    for (const chart of charts) chart.u.setSize({ width: Math.max(300, chart.box.clientWidth), height: chart.u.height });
  });
  window.lrplot = { charts, pyRepr, reset, ready: true };
})();
