/* examgen web UI — a small hand-written SVG line chart (no library): queue size and processing over time. */
(function () {
  "use strict";
  const EG = window.EG;
  const NS = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    const node = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text != null) node.textContent = text;
    return node;
  }

  /* Whole-number gridlines (counts of jobs): a step of 1, 2 or 5 x 10^k, about four of them. */
  function niceScale(value) {
    const raw = Math.max(1, value / 4);
    const pow = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw);
    return { step, top: Math.max(4, Math.ceil(value / step) * step) };
  }

  /* Draw ``series`` ([{key, cls, label}]) of ``samples`` ([{t, ...}]) spanning the last ``spanSeconds``. */
  EG.drawChart = function (box, samples, series, spanSeconds) {
    const width = Math.max(280, box.clientWidth || 600);
    const height = width < 500 ? 190 : 240;
    const pad = { left: 36, right: 12, top: 12, bottom: 26 };
    const w = width - pad.left - pad.right;
    const h = height - pad.top - pad.bottom;
    const end = Date.now();
    const start = end - spanSeconds * 1000;
    const points = samples.map((s) => Object.assign({ ms: Date.parse(s.t) }, s)).filter((s) => s.ms >= start);
    const { step, top } = niceScale(Math.max(1, ...points.flatMap((p) => series.map((s) => p[s.key] || 0))));
    const x = (ms) => pad.left + ((ms - start) / (end - start)) * w;
    const y = (v) => pad.top + h - (v / top) * h;

    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", height, class: "chart-svg", "aria-hidden": "true", focusable: "false" });
    for (let v = 0; v <= top; v += step) {
      root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: y(v), y2: y(v), class: "grid" }));
      root.append(svg("text", { x: pad.left - 6, y: y(v) + 4, class: "axis", "text-anchor": "end" }, EG.num(v)));
    }
    const fmt = new Intl.DateTimeFormat(EG.lang, { hour: "2-digit", minute: "2-digit" });
    const stepMin = width < 500 ? 20 : 10;
    const first = Math.ceil(start / (stepMin * 60000)) * stepMin * 60000;
    for (let ms = first; ms <= end; ms += stepMin * 60000) {
      root.append(svg("line", { x1: x(ms), x2: x(ms), y1: pad.top + h, y2: pad.top + h + 4, class: "tick" }));
      root.append(svg("text", { x: x(ms), y: height - 6, class: "axis", "text-anchor": "middle" }, fmt.format(new Date(ms))));
    }
    root.append(svg("line", { x1: pad.left, x2: width - pad.right, y1: pad.top + h, y2: pad.top + h, class: "baseline" }));
    if (points.length) {
      for (const s of series) {
        // a step line: the value holds until the next sample
        let d = "";
        points.forEach((p, i) => {
          const px = x(p.ms).toFixed(1);
          const py = y(p[s.key] || 0).toFixed(1);
          d += i === 0 ? `M${px},${py}` : `H${px}V${py}`;
        });
        d += `H${x(points[points.length - 1].ms + 10000 > end ? end : points[points.length - 1].ms).toFixed(1)}`;
        if (s.area) {
          const area = d + `V${y(0)}H${x(points[0].ms).toFixed(1)}Z`;
          root.append(svg("path", { d: area, class: "area " + s.cls }));
        }
        root.append(svg("path", { d, class: "line " + s.cls }));
      }
    }
    box.replaceChildren(root);
    if (!points.length) box.append(EG.el("p", { class: "chart-empty muted", text: EG.t("chartEmpty") }));
  };
})();
