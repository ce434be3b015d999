// `trainsim validate --html` (sim/report/html_report.hpp): predicted against
// measured step time per family of runs, the rows' details on hover, the
// summary per runs file and the rows in a sortable table.
"use strict";
(function () {
  const D = T.data, S = D.summary || {};
  const rows = D.rows || [];
  const compared = rows.filter((r) => r.status === "ok" && r.measured_step_time_s !== null && r.predicted_step_time_s !== null);
  const families = [...new Set(rows.map((r) => r.family))].sort();
  const pctOrDash = (x, d = 1) => (x === null || x === undefined ? "—" : T.pct(x, d));

  T.add(T.el("h1", { text: "Predicted against measured training runs" }));
  T.add(T.el("p", { class: "sub" }, D.files.map((f) => f.file).join(", ")));
  T.add(T.el("div", { class: "cards" },
    T.card("rows compared", T.num(S.rows_compared || 0) + " of " + T.num(S.rows || 0)),
    T.card("step time MAPE", pctOrDash(S.mape_step_time)),
    T.card("median |error|", pctOrDash(S.median_abs_error)),
    T.card("largest |error| (" + (S.max_abs_error_id || "—") + ")", pctOrDash(S.max_abs_error)),
    T.card("rows over 10% / 20%", (S.rows_over_10pct || 0) + " / " + (S.rows_over_20pct || 0)),
    T.card("fits/OOM agreement", pctOrDash(S.oom_agreement, 0)),
    T.card("failed rows", String(S.rows_failed || 0), S.rows_failed ? "bad" : "good")));

  // --- predicted vs measured
  T.section("Predicted against measured step time", "One point per measured run, coloured by family; the diagonal is a perfect prediction and the dashed lines are ±10%. Hover a point for the run, the plan trainsim chose and the memory.");
  const xs = compared.flatMap((r) => [r.measured_step_time_s, r.predicted_step_time_s]);
  const lo = Math.min(...xs) / 1.3, hi = Math.max(...xs) * 1.3;
  const line = (f, label, dash) => ({ type: "line", label, data: [{ x: lo, y: lo * f }, { x: hi, y: hi * f }], borderColor: dash ? "#8c959f" : "#1f2328",
                                      borderDash: dash ? [5, 4] : [], pointRadius: 0, borderWidth: 1 });
  const fams = families.filter((f) => compared.some((r) => r.family === f));
  const ds = fams.map((f, i) => ({ label: f, data: compared.filter((r) => r.family === f).map((r) => ({ x: r.measured_step_time_s, y: r.predicted_step_time_s, r })),
                                   backgroundColor: T.color(i), borderColor: T.color(i), pointRadius: 4, pointHoverRadius: 7 }))
    .concat(compared.length ? [line(1, "exact", false), line(1.1, "+10%", true), line(0.9, "−10%", true)] : []);
  const details = (r) => {
    const lay = r.layout || {};
    const out = [r.id + " (" + r.family + "): " + r.model + ", " + r.gpus + " GPUs",
      "measured " + T.secs(r.measured_step_time_s) + ", predicted " + T.secs(r.predicted_step_time_s) + ", error " + pctOrDash(r.error),
      "tp " + lay.tp + " pp " + lay.pp + " dp " + lay.dp + (lay.cp > 1 ? " cp " + lay.cp : "") + " vp " + lay.vp + " zero " + lay.zero_stage +
        " mb " + lay.micro_batch + " recompute " + lay.recompute];
    const chosen = Object.entries(r.chosen || {});
    if (chosen.length) out.push("chosen: " + chosen.map(([k, v]) => k + "=" + v).join(" "));
    if (r.measured_peak_memory_gb !== null && r.measured_peak_memory_gb !== undefined)
      out.push("memory: measured " + r.measured_peak_memory_gb + " GB, predicted " + Number(r.predicted_peak_memory_gb).toFixed(1) + " GB");
    return out;
  };
  const sc = T.chart("validate-chart", 480, {
    type: "scatter",
    data: { datasets: ds },
    options: {
      scales: { x: { type: "logarithmic", min: lo, max: hi, title: { display: true, text: "measured step time [s] (log)" }, ticks: { callback: (v, i, ticks) => T.tick(v, ticks) } },
                y: { type: "logarithmic", min: lo, max: hi, title: { display: true, text: "predicted step time [s] (log)" }, ticks: { callback: (v, i, ticks) => T.tick(v, ticks) } } },
      plugins: { legend: { position: "right" }, tooltip: { callbacks: { label: (c) => (c.raw.r ? details(c.raw.r) : c.dataset.label) } } },
    },
  });
  if (compared.length) {
    T.add(sc.box);
    sc.make();
  } else {
    T.add(T.note("No row has both a measured and a predicted step time: nothing to draw."));
  }

  // --- error per family
  T.section("Error per family", "Predicted / measured − 1 of each run, grouped by family (negative: trainsim is too fast).");
  const ordered = fams.flatMap((f) => compared.filter((r) => r.family === f));
  const err = T.chart("error-chart", 320, {
    type: "bar",
    data: { labels: ordered.map((r) => r.id),
            datasets: [{ label: "error", data: ordered.map((r) => 100 * r.error), backgroundColor: ordered.map((r) => T.color(fams.indexOf(r.family))) }] },
    options: { scales: { y: { title: { display: true, text: "error [%]" } }, x: { ticks: { autoSkip: true, maxRotation: 90 } } },
               plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => details(ordered[c.dataIndex]) } } } },
  });
  if (compared.length) {
    T.add(err.box);
    err.make();
  }
  T.add(T.table("family-table", ["family", "rows", "MAPE", "largest |error|", "within 10%"], fams.map((f) => {
    const rs = compared.filter((r) => r.family === f), abs = rs.map((r) => Math.abs(r.error));
    return [{ node: T.el("span", {}, T.swatch(T.color(fams.indexOf(f))), f) }, rs.length, { text: T.pct(abs.reduce((a, b) => a + b, 0) / rs.length), sort: abs.reduce((a, b) => a + b, 0) / rs.length },
      { text: T.pct(Math.max(...abs)), sort: Math.max(...abs) }, abs.filter((a) => a <= 0.1).length + " of " + rs.length];
  }), { sortable: true }));

  // --- the rows
  T.section("Rows", "Every row; hover a row for its details, click a header to sort.");
  T.add(T.table("rows-table", ["id", "family", "model", "GPUs", "measured [s]", "predicted [s]", "error", "meas. mem [GB]", "pred. mem [GB]", "status"],
    rows.map((r) => ({ title: r.status === "ok" ? details(r).join("\n") : r.reason, cls: r.status === "ok" ? "" : "hi", cells: [
      r.id, r.family, { text: r.model }, r.gpus, { text: r.measured_step_time_s === null ? "—" : r.measured_step_time_s.toFixed(3), sort: r.measured_step_time_s ?? "" },
      { text: r.predicted_step_time_s === null ? "—" : r.predicted_step_time_s.toFixed(3), sort: r.predicted_step_time_s ?? "" },
      { text: pctOrDash(r.error), sort: r.error ?? "" }, r.measured_peak_memory_gb ?? "—",
      r.predicted_peak_memory_gb === null || r.predicted_peak_memory_gb === undefined ? "—" : Number(r.predicted_peak_memory_gb).toFixed(1),
      r.status === "ok" ? "ok" : "failed: " + r.reason] })), { left: [0, 1, 2, 9], sortable: true }));
  if (D.files.length > 1) {
    T.section("Per runs file");
    T.add(T.table("files-table", ["file", "rows", "MAPE", "largest |error|", "over 10%"], D.files.map((f) => [
      f.file, f.summary.rows, pctOrDash(f.summary.mape_step_time), pctOrDash(f.summary.max_abs_error), f.summary.rows_over_10pct]), { left: [0] }));
  }
  T.renderCheck();
})();
