/* Baton's small chart kit: SVG built in the page, no library and no CDN, so the dashboard
 * works offline and under the console's strict Content-Security-Policy.
 *
 * BatonCharts.columns(el, {labels, series:[{name, values, color}], stacked, format})
 * BatonCharts.lines(el, {labels, series:[{name, values, color}], format, max})
 * BatonCharts.bars(el, {items:[{label, value, color}], format})
 * Each draws into `el` (replacing what was there), with a legend, value labels and <title>
 * tooltips; a chart with nothing to show says so instead of drawing empty axes.
 */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";

  function node(name, attrs, parent) {
    var el = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(el);
    return el;
  }

  function text(parent, x, y, content, attrs) {
    var t = node("text", Object.assign({ x: x, y: y }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }

  function tip(el, content) {
    node("title", {}, el).textContent = content;
  }

  function svg(el, width, height, label) {
    el.textContent = "";
    return node("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": label }, el);
  }

  function legend(el, series) {
    if (series.length < 2) return;
    var box = document.createElement("div");
    box.className = "legend";
    series.forEach(function (s) {
      var span = document.createElement("span");
      var swatch = document.createElement("i");
      swatch.style.background = s.color;
      span.appendChild(swatch);
      span.appendChild(document.createTextNode(s.name));
      box.appendChild(span);
    });
    el.appendChild(box);
  }

  function nothing(el, width, height, label) {
    var s = svg(el, width, height, label);
    var none = window.BatonI18n ? window.BatonI18n.t("dash.nothing") : "Nothing in this range";
    text(s, width / 2, height / 2, none, { "text-anchor": "middle", class: "none" });
  }

  // The top of the axis: four round steps (0, 10, 20, 30, 40) that reach `value`.
  function niceMax(value) {
    if (value <= 0) return 4;
    var quarter = value / 4;
    var power = Math.pow(10, Math.floor(Math.log10(quarter)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      var step = steps[i] * power;
      if (step >= quarter && (step >= 1 || steps[i] !== 2.5)) return 4 * Math.max(step, 1);
    }
    return 40 * power;
  }

  function yAxis(s, left, top, width, height, max, format) {
    for (var i = 0; i <= 4; i++) {
      var y = top + height - (height * i) / 4;
      node("line", { x1: left, x2: left + width, y1: y, y2: y, class: i ? "grid" : "axis" }, s);
      text(s, left - 6, y + 4, format((max * i) / 4), { "text-anchor": "end" });
    }
  }

  function xLabels(s, labels, left, width, y) {
    var every = Math.max(1, Math.ceil(labels.length / 10));
    var step = width / labels.length;
    labels.forEach(function (label, i) {
      if (i % every) return;
      text(s, left + step * (i + 0.5), y, label, { "text-anchor": "middle" });
    });
  }

  function columns(el, opts) {
    var W = 720, H = 240, L = 48, T = 12, R = 10, B = 28;
    var labels = opts.labels, series = opts.series, format = opts.format || String;
    var totals = labels.map(function (_, i) {
      return opts.stacked
        ? series.reduce(function (sum, s) { return sum + (s.values[i] || 0); }, 0)
        : Math.max.apply(null, series.map(function (s) { return s.values[i] || 0; }));
    });
    if (!labels.length || !totals.some(function (v) { return v > 0; })) {
      return nothing(el, W, H, opts.label || "chart");
    }
    var max = opts.max || niceMax(Math.max.apply(null, totals));
    var s = svg(el, W, H, opts.label || "chart");
    var width = W - L - R, height = H - T - B;
    yAxis(s, L, T, width, height, max, format);
    var step = width / labels.length;
    var groupWidth = Math.min(step * 0.75, 90);
    labels.forEach(function (label, i) {
      var x0 = L + step * i + (step - groupWidth) / 2;
      var base = T + height;
      series.forEach(function (ser, j) {
        var v = ser.values[i] || 0;
        if (v === null) return;
        var h = (height * v) / max;
        var w = opts.stacked ? groupWidth : groupWidth / series.length;
        var x = opts.stacked ? x0 : x0 + w * j;
        var y = opts.stacked ? base - h : T + height - h;
        var rect = node("rect", { x: x, y: y, width: Math.max(w - 2, 1), height: Math.max(h, 0), fill: ser.color, rx: 2 }, s);
        tip(rect, label + " · " + ser.name + ": " + format(v));
        if (opts.values && h > 0 && labels.length <= 12) {
          text(s, x + (w - 2) / 2, y - 3, format(v), { "text-anchor": "middle", class: "value" });
        }
        if (opts.stacked) base -= h;
      });
    });
    xLabels(s, labels, L, width, H - 8);
    legend(el, series);
  }

  function lines(el, opts) {
    var W = 720, H = 220, L = 48, T = 12, R = 10, B = 28;
    var labels = opts.labels, series = opts.series, format = opts.format || String;
    var any = series.some(function (ser) { return ser.values.some(function (v) { return v !== null; }); });
    if (!labels.length || !any) return nothing(el, W, H, opts.label || "chart");
    var max = opts.max || niceMax(Math.max.apply(null, series.map(function (ser) {
      return Math.max.apply(null, ser.values.map(function (v) { return v || 0; }));
    })));
    var s = svg(el, W, H, opts.label || "chart");
    var width = W - L - R, height = H - T - B;
    yAxis(s, L, T, width, height, max, format);
    var step = width / labels.length;
    series.forEach(function (ser) {
      var d = "", pen = false;
      ser.values.forEach(function (v, i) {
        if (v === null || v === undefined) { pen = false; return; }
        var x = L + step * (i + 0.5), y = T + height - (height * v) / max;
        d += (pen ? " L" : " M") + x.toFixed(1) + " " + y.toFixed(1);
        pen = true;
        var dot = node("circle", { cx: x, cy: y, r: 3, fill: ser.color }, s);
        tip(dot, labels[i] + " · " + ser.name + ": " + format(v));
      });
      if (d) node("path", { d: d, fill: "none", stroke: ser.color, "stroke-width": 2 }, s);
    });
    xLabels(s, labels, L, width, H - 8);
    legend(el, series);
  }

  function bars(el, opts) {
    var items = opts.items, format = opts.format || String;
    var W = 520, row = 24, L = Math.min(230, 12 + 7 * Math.max.apply(null, items.map(function (it) { return it.label.length; }).concat([4]))), R = 70;
    if (!items.length || !items.some(function (it) { return it.value > 0; })) {
      return nothing(el, W, 80, opts.label || "chart");
    }
    var H = row * items.length + 8;
    var max = Math.max.apply(null, items.map(function (it) { return it.value; }));
    var s = svg(el, W, H, opts.label || "chart");
    items.forEach(function (it, i) {
      var y = 4 + row * i;
      var w = ((W - L - R) * it.value) / max;
      text(s, L - 8, y + 15, it.label, { "text-anchor": "end" });
      var rect = node("rect", { x: L, y: y + 3, width: Math.max(w, 1), height: row - 8, fill: it.color || "#6366f1", rx: 3 }, s);
      tip(rect, it.label + ": " + format(it.value));
      text(s, L + w + 6, y + 15, format(it.value), { class: "value" });
    });
  }

  window.BatonCharts = { columns: columns, lines: lines, bars: bars };
})();
