// `trainsim sweep --html` (sim/report/html_report.hpp): step time against peak
// memory of every simulated plan (colour by a chosen dimension, the Pareto
// front, the GPU's memory), the top plans and what their step time is made of.
"use strict";
(function () {
  const D = T.data, R = D.report, C = {};
  D.columns.forEach((c, i) => { C[c] = i; });
  const GiB = 1073741824;
  const hbm = Number(D.gpu_memory_bytes) / GiB;
  const num = (row, c) => (c in C ? Number(row[C[c]]) : NaN);
  const pts = D.rows.map((row, i) => ({
    row, label: D.labels[i], point: row[C.point], x: num(row, "peak_memory_bytes") / GiB, y: num(row, "step_time_s"),
    fits: row[C.fits] === "true", pareto: row[C.pareto] === "true",
  }));
  const counts = R.counts || {};
  const top = R.top || [], front = R.pareto || [];

  T.add(T.el("h1", { text: "Layout search: " + D.title }));
  T.add(T.el("p", { class: "sub" }, T.num(counts.points || 0) + " points: " + T.num(counts.simulated || 0) + " simulated (" +
    T.num(counts.fits || 0) + " fit, " + T.num(counts.simulated_oom || 0) + " over memory), " + T.num(counts.pruned_oom || 0) +
    " pruned by the memory model, " + T.num(counts.invalid || 0) + " invalid layouts."));
  if (top.length) {
    const best = top[0];
    const lowMem = front.length ? front.reduce((a, b) => (b.peak_memory_bytes < a.peak_memory_bytes ? b : a)) : best;
    T.add(T.el("div", { class: "cards" },
      T.card("pick: the fastest plan that fits", best.label),
      T.card("its step time", T.secs(best.step_time_s)),
      T.card("tokens per second", T.num(best.tokens_per_s)),
      T.card("MFU", T.pct(best.mfu)),
      T.card("peak memory (of " + hbm.toFixed(1) + " GiB)", T.gib(best.peak_memory_bytes) + " GiB", "good")));
    T.add(T.el("p", { class: "lead" }, "Pick point " + best.point + " (" + best.label + ") for speed. " +
      (front.length > 1 ? "If memory headroom matters more, the Pareto front's leanest plan, point " + lowMem.point + " (" + lowMem.label + "), needs " +
        T.gib(lowMem.peak_memory_bytes) + " GiB at " + T.secs(lowMem.step_time_s) + " per step (" +
        T.pct(lowMem.step_time_s / best.step_time_s - 1) + " slower)." : "It is also the plan with the least memory among the fastest.")));
  } else {
    T.add(T.el("p", { class: "lead" }, "No simulated plan fits in memory: see the reasons below."));
  }

  // --- the scatter
  T.section("Step time against peak memory", "Every simulated plan; filled points fit in memory, hollow ones do not. " +
    "The black staircase is the Pareto front (no other plan is both faster and leaner); the dashed red line is the GPU's memory. Hover a point for its plan.");
  const dims = D.dimensions.filter((d) => new Set(pts.map((p) => p.row[C[d]])).size > 1);
  const select = T.el("select", { id: "colour-by" }, dims.map((d) => T.el("option", d === D.colour_by ? { value: d, selected: "" } : { value: d }, d)));
  T.add(T.el("div", { class: "controls" }, "colour by ", select));
  const fitMax = Math.max(hbm, ...pts.filter((p) => p.fits).map((p) => p.x));
  const allMax = Math.max(0, ...pts.map((p) => p.x));
  const xMax = allMax > 2 * fitMax ? 2 * fitMax : allMax * 1.05;
  const ys = pts.map((p) => p.y).filter((y) => y > 0);
  const yMin = Math.min(...ys) / 1.15, yMax = Math.max(...ys) * 1.15;
  const offScale = pts.filter((p) => p.x > xMax).length;
  const sortValues = (vs) => vs.sort((a, b) => (isNaN(Number(a)) || isNaN(Number(b)) ? String(a).localeCompare(String(b)) : Number(a) - Number(b)));
  const datasets = (dim) => {
    const values = sortValues([...new Set(pts.map((p) => p.row[C[dim]]))]);
    const ds = values.map((v, i) => {
      const mine = pts.filter((p) => p.row[C[dim]] === v);
      return { label: dim + " " + v, data: mine.map((p) => ({ x: Math.min(p.x, xMax), y: p.y, p })), borderColor: T.color(i),
               backgroundColor: mine.map((p) => (p.fits ? T.color(i) : "rgba(255,255,255,0)")), pointRadius: 3.5, pointHoverRadius: 6,
               pointStyle: mine.map((p) => (p.x > xMax ? "triangle" : "circle")) };
    });
    const fr = pts.filter((p) => p.pareto).sort((a, b) => a.x - b.x);
    ds.push({ type: "line", label: "Pareto front", data: fr.map((p) => ({ x: p.x, y: p.y, p })), borderColor: "#000", backgroundColor: "rgba(0,0,0,0)",
              stepped: "before", pointRadius: 6, pointBorderWidth: 2, borderWidth: 1.5 });
    ds.push({ type: "line", label: "GPU memory " + hbm.toFixed(1) + " GiB", data: [{ x: hbm, y: yMin }, { x: hbm, y: yMax }],
              borderColor: "#cf222e", borderDash: [6, 4], pointRadius: 0, borderWidth: 2 });
    return ds;
  };
  const tip = (c) => {
    const p = c.raw.p;
    if (!p) return c.dataset.label;
    return [p.label, "point " + p.point + ": " + T.secs(p.y) + " per step, " + T.num(num(p.row, "tokens_per_s")) + " tokens/s, MFU " +
      T.pct(num(p.row, "mfu")), "peak " + p.x.toFixed(2) + " GiB" + (p.fits ? " (fits)" : " (does not fit)") + (p.pareto ? ", on the Pareto front" : "")];
  };
  const sc = T.chart("sweep-chart", 460, {
    type: "scatter",
    data: { datasets: datasets(D.colour_by || dims[0]) },
    options: {
      scales: { x: { type: "linear", min: 0, max: xMax, title: { display: true, text: "peak memory per GPU [GiB]" } },
                y: { type: "logarithmic", min: yMin, max: yMax, title: { display: true, text: "step time [s] (log scale)" },
                     ticks: { callback: (v, i, ticks) => T.tick(v, ticks) } } },
      plugins: { legend: { position: "right" }, tooltip: { callbacks: { label: tip } } },
    },
  });
  if (pts.length) {
    T.add(sc.box);
    const chart = sc.make();
    select.addEventListener("change", () => { chart.data.datasets = datasets(select.value); chart.update("none"); });
  } else {
    T.add(T.note("No plan was simulated: nothing to draw."));
  }
  if (offScale) T.add(T.note(offScale + " plans need more than " + xMax.toFixed(0) + " GiB: drawn as triangles on the right edge (their value in the tooltip)."));

  // --- top plans
  const onFront = new Set(front.map((p) => String(p.point)));
  T.section("Top plans", "The fastest plans that fit, fastest first; click a header to sort.");
  T.add(T.table("top-table", ["#", "point", "plan", "step time [s]", "tokens/s", "TFLOP/s per GPU", "MFU", "peak [GiB]", "Pareto"],
    top.map((p, i) => ({ cls: i === 0 ? "hi" : "", cells: [i + 1, p.point, { text: p.label }, { text: p.step_time_s.toFixed(3), sort: p.step_time_s },
      { text: T.num(p.tokens_per_s), sort: p.tokens_per_s }, p.model_tflops_per_gpu.toFixed(1), { text: T.pct(p.mfu), sort: p.mfu },
      { text: T.gib(p.peak_memory_bytes), sort: p.peak_memory_bytes }, onFront.has(String(p.point)) ? "yes" : ""] })),
    { left: [2], sortable: true }));

  // --- what the top plans' step time is made of
  const terms = D.columns.filter((c) => /^breakdown_.*_s$/.test(c));
  const byPoint = new Map(pts.map((p) => [String(p.point), p]));
  const topRows = top.map((p) => byPoint.get(String(p.point))).filter((p) => p);
  if (topRows.length && terms.length) {
    T.section("What their step time is made of", "Seconds of each part of the step of the top plans, fastest at the top.");
    const used = terms.filter((t) => topRows.some((p) => num(p.row, t) > 0));
    const bd = T.chart("top-breakdown-chart", 60 + 28 * topRows.length, {
      type: "bar",
      data: { labels: topRows.map((p, i) => "#" + (i + 1) + " point " + p.point),
              datasets: used.map((t, i) => ({ label: t.replace(/^breakdown_|_s$/g, "").replace(/_/g, " "), data: topRows.map((p) => num(p.row, t)),
                                              backgroundColor: T.termColor(t.replace(/^breakdown_|_s$/g, ""), i) })) },
      options: { indexAxis: "y", scales: { x: { stacked: true, title: { display: true, text: "seconds" } }, y: { stacked: true } },
                 plugins: { legend: { position: "bottom" },
                            tooltip: { callbacks: { title: (c) => topRows[c[0].dataIndex].label, label: (c) => c.dataset.label + ": " + T.secs(c.raw) } } } },
    });
    T.add(bd.box);
    bd.make();
  }

  // --- the front and the reasons
  T.section("Pareto front", "Each plan here is faster than every plan that needs less memory.");
  T.add(T.table("pareto-table", ["point", "plan", "step time [s]", "tokens/s", "MFU", "peak [GiB]"],
    front.map((p) => [p.point, { text: p.label }, { text: p.step_time_s.toFixed(3), sort: p.step_time_s }, { text: T.num(p.tokens_per_s), sort: p.tokens_per_s },
      { text: T.pct(p.mfu), sort: p.mfu }, { text: T.gib(p.peak_memory_bytes), sort: p.peak_memory_bytes }]), { left: [1], sortable: true }));
  const reasons = R.reasons || [];
  if (reasons.length) {
    T.section("Why plans were left out", "Invalid layouts and plans that do not fit, grouped (numbers replaced by N).");
    T.add(T.table("reasons-table", ["plans", "reason"], reasons.slice(0, 15).map((r) => [r.count, { text: r.reason }]), { left: [1] }));
  }
  T.renderCheck();
})();
