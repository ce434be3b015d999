// Shared by the trainsim HTML reports (sim/report/html_report.hpp): the data,
// small DOM helpers, number formats, sortable tables, chart creation and the
// render check the headless-browser test reads.
"use strict";
window.trainsimErrors = [];
window.addEventListener("error", (e) => window.trainsimErrors.push(String(e.message || e)));
(function () {
  const original = console.error;
  console.error = function (...args) {
    window.trainsimErrors.push(args.map(String).join(" "));
    original.apply(console, args);
  };
})();

const T = {
  data: JSON.parse(document.getElementById("report-data").textContent),
  root: document.getElementById("report"),
  charts: [],
  tables: {},
  palette: ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
            "#9c755f", "#bab0ac", "#1f77b4", "#8c564b"],

  // One colour per part of the step-time breakdown (summary.json breakdown_s), on every page.
  termColors: { compute: "#4e79a7", recompute: "#f28e2b", tp_comm_exposed: "#e15759", pp_bubble: "#76b7b2",
                pp_comm_exposed: "#59a14f", dp_comm_exposed: "#edc948", offload_exposed: "#9c755f", optimizer: "#b07aa1" },
  termColor(term, i) { return T.termColors[term] || T.color(i); },

  el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k === "style") e.style.cssText = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
    return e;
  },
  add(...nodes) { for (const n of nodes) T.root.append(n); },
  section(title, lead) {
    T.add(T.el("h2", { text: title }));
    if (lead) T.add(T.el("p", { class: "lead" }, lead));
  },
  note(text) { return T.el("p", { class: "note" }, text); },

  gib(bytes) { return (Number(bytes) / 1073741824).toFixed(2); },
  gb(bytes) { return (Number(bytes) / 1e9).toFixed(2); },
  pct(x, digits = 1) { return (100 * x).toFixed(digits) + "%"; },
  secs(s) {
    s = Number(s);
    if (!isFinite(s)) return "—";
    if (Math.abs(s) >= 1) return s.toFixed(3) + " s";
    if (Math.abs(s) >= 1e-3) return (s * 1e3).toFixed(2) + " ms";
    return (s * 1e6).toFixed(1) + " µs";
  },
  num(x, digits = 0) { return Number(x).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }); },
  // A log axis' tick label: every tick when there are few (a short range), else 1-2-5 of each decade.
  tick(v, ticks) {
    const e = Math.pow(10, Math.floor(Math.log10(v))), m = Math.round(v / e);
    return Math.abs(v / e - m) < 1e-6 && (ticks.length <= 10 || [1, 2, 5].includes(m)) ? Number(v.toPrecision(3)).toString() : "";
  },
  color(i) { return T.palette[i % T.palette.length]; },
  swatch(color) { return T.el("span", { class: "swatch", style: "background:" + color }); },
  card(key, value, cls) { return T.el("div", { class: "card " + (cls || "") }, T.el("div", { class: "v" }, value), T.el("div", { class: "k" }, key)); },

  // A table from rows of cells; a cell is a value or {text, sort, cls, node}.
  // sortable: clicking a header sorts by that column (numbers by their sort key).
  table(id, headers, rows, opts = {}) {
    const tbody = T.el("tbody");
    const cell = (c, i) => {
      const o = (c !== null && typeof c === "object" && !(c instanceof Node)) ? c : { text: c };
      const td = T.el("td", { class: (opts.left || [0]).includes(i) ? "l" : "" }, o.node || (o.text === undefined ? "" : o.text));
      if (o.title) td.title = o.title;
      td.dataset.sort = o.sort !== undefined ? o.sort : (o.text === undefined ? "" : o.text);
      return td;
    };
    const fill = (rs) => {
      tbody.replaceChildren(...rs.map((r) => {
        const tr = T.el("tr", { class: r.cls || "" }, (r.cells || r).map(cell));
        if (r.title) tr.title = r.title;
        return tr;
      }));
    };
    fill(rows);
    const ths = headers.map((h, i) => T.el("th", { class: ((opts.left || [0]).includes(i) ? "l " : "") + (opts.sortable ? "sortable" : ""), text: h }));
    const table = T.el("table", { id }, T.el("thead", {}, T.el("tr", {}, ths)), tbody);
    if (opts.sortable) {
      ths.forEach((th, i) => th.addEventListener("click", () => {
        const asc = !th.classList.contains("sorted-asc");
        ths.forEach((t) => t.classList.remove("sorted-asc", "sorted-desc"));
        th.classList.add(asc ? "sorted-asc" : "sorted-desc");
        const trs = Array.from(tbody.children);
        trs.sort((a, b) => {
          const x = a.children[i].dataset.sort, y = b.children[i].dataset.sort;
          const nx = Number(x), ny = Number(y);
          const c = (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y));
          return asc ? c : -c;
        });
        tbody.replaceChildren(...trs);
      }));
    }
    T.tables[id] = rows.length;
    return table;
  },

  // A Chart.js chart in a box of the given height; no animation, so the page
  // is drawn at once (and screenshots are stable).
  chart(id, height, config) {
    const canvas = T.el("canvas", { id });
    const box = T.el("div", { class: "chart", style: "height:" + height + "px" }, canvas);
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options || {});
    return { box, make: () => { const c = new Chart(canvas, config); T.charts.push(c); return c; } };
  },

  // Written when the page is drawn: what the headless-browser test checks.
  renderCheck() {
    const charts = T.charts.map((c) => ({
      id: c.canvas.id,
      type: c.config.type,
      width: c.width,
      height: c.height,
      datasets: c.data.datasets.map((d) => ({ label: String(d.label), points: d.data.length })),
    }));
    const doc = { kind: T.root.dataset.kind, charts, tables: T.tables, errors: window.trainsimErrors };
    document.body.append(T.el("pre", { id: "render-check", text: JSON.stringify(doc) }));
  },
};

Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif';
Chart.defaults.color = "#1f2328";
