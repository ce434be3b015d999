// `trainsim run --html` (sim/report/html_report.hpp): what the step time is
// made of, what fills memory, the timeline, communication and assumptions.
"use strict";
(function () {
  const D = T.data, S = D.summary;
  const TERMS = {
    compute: "forward and backward compute (embedding, layers, output, loss)",
    recompute: "forward work re-run in the backward pass (activation recomputation)",
    tp_comm_exposed: "tensor/context-parallel collectives on the critical path",
    pp_bubble: "pipeline bubble: idle, waiting for another stage's compute",
    pp_comm_exposed: "idle, waiting for a pipeline send in flight",
    dp_comm_exposed: "idle, waiting for gradient reduction or parameter gathers",
    offload_exposed: "idle, waiting for CPU/NVMe offload traffic",
    optimizer: "optimizer step (and gradient clipping)",
  };
  const MEM = {
    params: "parameters", grads: "gradients", optimizer_states: "optimizer states",
    activations: "activations", comm_buffers: "communication buffers", other: "other (workspace, fragmentation)",
  };
  const MEM_COLORS = { params: "#4e79a7", grads: "#f28e2b", optimizer_states: "#e15759", activations: "#59a14f", comm_buffers: "#b07aa1", other: "#bab0ac" };
  const CAT_COLORS = { forward: "#4e79a7", backward: "#f28e2b", recompute: "#edc948", tp: "#e15759", dp: "#76b7b2", pp: "#b07aa1",
                       optimizer: "#59a14f", offload: "#9c755f" };
  const step = S.step_time_s, hbm = S.gpu_memory_bytes;
  const terms = Object.keys(TERMS).filter((k) => k in S.breakdown_s);
  const L = S.layout || {};

  // --- header and key figures
  T.add(T.el("h1", { text: S.model + " on " + S.cluster + ", " + T.num(L.gpus || 0) + " GPUs" }));
  T.add(T.el("p", { class: "sub" }, "trainsim run " + S.scenario + " · " + S.gpu + " · tp " + L.tp + " pp " + L.pp +
    " dp " + L.dp + (L.cp > 1 ? " cp " + L.cp : "") + " · ZeRO " + L.zero_stage + " · micro-batch " + L.micro_batch +
    " × " + L.num_micro_batches + " · recompute " + L.recompute));
  const fits = S.fits;
  T.add(T.el("div", { class: "cards" },
    T.card("step time", T.secs(step)),
    T.card("tokens per second", T.num(S.tokens_per_s)),
    T.card("MFU", T.pct(S.mfu)),
    T.card("model TFLOP/s per GPU", T.num(S.model_tflops_per_gpu, 1)),
    T.card("peak memory per GPU (of " + T.gib(hbm) + " GiB)", T.gib(S.peak_memory_bytes) + " GiB", fits ? "good" : "bad"),
    T.card("fits", fits ? "yes" : "no", fits ? "good" : "bad")));

  // --- step time
  const overheads = terms.filter((k) => k !== "compute").sort((a, b) => S.breakdown_s[b] - S.breakdown_s[a]);
  const biggest = overheads[0];
  T.section("What the step time is made of",
    "Of the " + T.secs(step) + " step (GPU " + S.critical_rank + ", the one that finishes last), compute is " +
    T.pct(S.breakdown_s.compute / step) + "; the largest other part is " + biggest.replace(/_/g, " ") + " (" +
    T.pct(S.breakdown_s[biggest] / step) + ", " + T.secs(S.breakdown_s[biggest]) + ").");
  const shown = terms.filter((k) => S.breakdown_s[k] > 0);
  const bd = T.chart("breakdown-chart", 130, {
    type: "bar",
    data: { labels: ["step"], datasets: shown.map((k, i) => ({ label: k.replace(/_/g, " "), data: [S.breakdown_s[k]], backgroundColor: T.termColor(k, i) })) },
    options: {
      indexAxis: "y",
      scales: { x: { stacked: true, min: 0, max: step, title: { display: true, text: "seconds" } }, y: { stacked: true } },
      plugins: { tooltip: { callbacks: { label: (c) => c.dataset.label + ": " + T.secs(c.raw) + " (" + T.pct(c.raw / step) + ")" } },
                 legend: { position: "bottom" } },
    },
  });
  T.add(bd.box);
  bd.make();
  const bdRows = terms.map((k) => ({ cls: k === biggest ? "hi" : "", cells: [
    { node: T.el("span", {}, shown.includes(k) ? T.swatch(T.termColor(k, shown.indexOf(k))) : "", k) },
    { text: T.secs(S.breakdown_s[k]), sort: S.breakdown_s[k] }, T.pct(S.breakdown_s[k] / step), { text: TERMS[k] } ] }));
  bdRows.push({ cls: "total", cells: ["total", T.secs(terms.reduce((a, k) => a + S.breakdown_s[k], 0)), "100.0%", ""] });
  T.add(T.table("breakdown-table", ["part", "time", "% of step", "what it is"], bdRows, { left: [0, 3] }));

  // --- memory
  const mp = S.memory_at_peak_bytes;
  const memKeys = Object.keys(MEM).filter((k) => k in mp);
  const order = memKeys.slice().sort((a, b) => mp[b] - mp[a]);
  const peakTotal = memKeys.reduce((a, k) => a + mp[k], 0);
  T.section("What fills memory",
    "Peak " + T.gib(S.peak_memory_bytes) + " GiB of " + T.gib(hbm) + " GiB on GPU " + S.peak_rank + " (" +
    (S.gpu_fits ? "fits, " + T.gib(hbm - S.peak_memory_bytes) + " GiB to spare" : "does NOT fit") + "). At that instant: " +
    order.slice(0, 3).map((k) => MEM[k] + " " + T.gib(mp[k]) + " GiB (" + T.pct(mp[k] / peakTotal, 0) + ")").join(", ") + ".");
  const stageLabels = D.stages.map((s) => "stage " + s.pp);
  const mem = T.chart("memory-chart", 340, {
    type: "bar",
    data: {
      labels: stageLabels,
      datasets: memKeys.map((k) => ({ label: MEM[k], data: D.stages.map((s) => s.at_peak[k] / 1073741824), backgroundColor: MEM_COLORS[k], stack: "m" }))
        .concat([{ type: "line", label: "HBM " + T.gib(hbm) + " GiB", data: D.stages.map(() => hbm / 1073741824),
                   borderColor: "#cf222e", borderDash: [6, 4], pointRadius: 0, borderWidth: 2 }]),
    },
    options: {
      scales: { x: { stacked: true }, y: { stacked: true, min: 0, title: { display: true, text: "GiB per GPU at its peak" } } },
      plugins: { legend: { position: "bottom" },
                 tooltip: { callbacks: { title: (c) => D.stages[c[0].dataIndex].label, label: (c) => c.dataset.label + ": " + Number(c.raw).toFixed(2) + " GiB" } } },
    },
  });
  T.add(mem.box);
  mem.make();
  T.add(T.note("One bar per pipeline stage: the GPU of that stage with the highest peak, split as it is at its peak instant. " +
    "Memory convention: " + ((S.memory_convention || {}).name || "?") + " (" + ((S.memory_convention || {}).from || "") + ")."));
  const SHORT = { params: "params", grads: "grads", optimizer_states: "optimizer", activations: "activations", comm_buffers: "comm buffers", other: "other" };
  T.add(T.table("memory-table", ["stage", "GPU"].concat(memKeys.map((k) => SHORT[k] + " [GiB]"), ["peak [GiB]"]),
    D.stages.map((s) => [s.pp, { text: "GPU " + s.rank, title: s.label }].concat(memKeys.map((k) => T.gib(s.at_peak[k])), [{ text: T.gib(s.peak_bytes), cls: "" }])),
    { left: [1], sortable: true }));

  // --- memory over the step
  T.section("Memory over the step", "HBM in use on each simulated GPU (the trace's “HBM in use” counter).");
  const tl = T.chart("memory-timeline-chart", 300, {
    type: "line",
    data: { datasets: D.memory.map((m, i) => ({
      label: m.label, data: m.t_us.map((t, j) => ({ x: t / 1e3, y: m.gib[j] })), borderColor: T.color(i), backgroundColor: T.color(i),
      stepped: true, pointRadius: 0, borderWidth: 1.5 })).concat([{ label: "HBM", data: [{ x: 0, y: hbm / 1073741824 }, { x: step * 1e3, y: hbm / 1073741824 }],
      borderColor: "#cf222e", borderDash: [6, 4], pointRadius: 0, borderWidth: 2 }]) },
    options: {
      parsing: false, normalized: true,
      scales: { x: { type: "linear", min: 0, max: step * 1e3, title: { display: true, text: "time in the step [ms]" } },
                y: { min: 0, title: { display: true, text: "GiB" } } },
      plugins: { decimation: { enabled: true, algorithm: "min-max" }, legend: { position: "bottom" },
                 tooltip: { mode: "nearest", intersect: false, callbacks: { label: (c) => c.dataset.label + ": " + c.parsed.y.toFixed(2) + " GiB at " + c.parsed.x.toFixed(2) + " ms" } } },
    },
  });
  T.add(tl.box);
  tl.make();

  // --- timeline of the first stage
  const TL = D.timeline;
  T.section("Timeline of the first pipeline stage", TL.rank < 0 ? "No timeline was recorded." :
    TL.label + ": every kernel and transfer of the step on its streams. Hover a bar for its name; narrow the window below. " +
    "For every simulated GPU with pipeline arrows, write the trace (trainsim run … --trace trace.json) and open it in Perfetto (ui.perfetto.dev) or chrome://tracing.");
  if (TL.rank >= 0) {
    const usedLanes = [...new Set(TL.spans.map((s) => s[0]))].sort((a, b) => a - b).map((i) => TL.lanes[i]);
    const byCat = TL.cats.map((c, ci) => ({
      label: c, backgroundColor: CAT_COLORS[c] || "#8c8c8c", grouped: false, minBarLength: 1, barPercentage: 0.9, categoryPercentage: 1,
      data: TL.spans.filter((s) => s[4] === ci).map((s) => ({ x: [s[1] / 1e3, (s[1] + s[2]) / 1e3], y: TL.lanes[s[0]], n: TL.names[s[3]], d: s[2] })),
    }));
    const box = T.chart("timeline-chart", 70 + 38 * usedLanes.length, {
      type: "bar",
      data: { labels: usedLanes, datasets: byCat },
      options: {
        indexAxis: "y",
        scales: { x: { type: "linear", min: 0, max: step * 1e3, title: { display: true, text: "time in the step [ms]" } }, y: { type: "category", labels: usedLanes } },
        plugins: { legend: { position: "bottom" },
                   tooltip: { callbacks: { label: (c) => c.raw.n + " — " + T.secs(c.raw.d / 1e6) + " from " + c.raw.x[0].toFixed(3) + " ms" } } },
      },
    });
    const from = T.el("input", { type: "number", id: "tl-from", value: "0", step: "any", min: "0" });
    const to = T.el("input", { type: "number", id: "tl-to", value: (step * 1e3).toFixed(1), step: "any", min: "0" });
    let chart = null;
    const apply = () => { chart.options.scales.x.min = Number(from.value); chart.options.scales.x.max = Number(to.value); chart.update("none"); };
    T.add(T.el("div", { class: "controls" }, "window from ", from, " ms to ", to, " ms ", T.el("button", { onclick: apply }, "show"),
      T.el("button", { onclick: () => { from.value = "0"; to.value = (step * 1e3).toFixed(1); apply(); } }, "whole step"),
      " " + T.num(TL.spans.length) + " spans"));
    T.add(box.box);
    chart = box.make();
  }

  // --- communication
  const comm = Object.entries(S.comm_bytes_per_gpu || {});
  const commTotal = comm.reduce((a, [, b]) => a + b, 0);
  T.section("Communication", "Bytes each GPU sends per step, by group and collective (ring algorithms' per-GPU volume; GB = 10^9 bytes): " +
    T.gb(commTotal) + " GB in all.");
  T.add(T.table("comm-table", ["group.collective", "GB per GPU per step", "share"],
    comm.sort((a, b) => b[1] - a[1]).map(([k, b]) => [k, { text: T.gb(b), sort: b }, T.pct(commTotal ? b / commTotal : 0)]), { sortable: true }));
  const off = Object.entries(S.offload_bytes_per_gpu || {}).filter(([, b]) => b > 0);
  if (off.length) T.add(T.el("p", {}, "Offload traffic per GPU per step: " + off.map(([k, b]) => k + " " + T.gb(b) + " GB").join(", ") + "."));

  // --- layout, assumptions, envelope
  T.section("Layout and assumptions");
  T.add(T.table("layout-table", ["key", "value"], Object.entries(L).map(([k, v]) => [k, { text: String(v) }]), { left: [0, 1] }));
  const A = S.assumptions || {};
  const card = A.card || [], imp = A.import || [];
  T.add(T.el("p", {}, card.length + imp.length ? "This result depends on these assumptions:" : "No card value or default this result read is marked as an assumption."));
  if (card.length) T.add(T.table("assumptions-table", ["cluster-card key", "value", "from"], card.map((a) => [a.key, { text: String(a.value) }, a.from]), { left: [0, 1, 2] }));
  if (imp.length) T.add(T.el("ul", { class: "plain" }, imp.map((l) => T.el("li", {}, l))));
  T.add(T.el("h2", { text: "Validated envelope" }));
  T.add(T.el("p", {},
    "trainsim's step times and memory are checked against measured runs (results/validation.md; trainsim validate --html draws them): " +
    "Megatron-LM SC21 GPT on 32–3,072 A100s in FP16 (1.7B–1T), BLOOM 176B on 384 A100s in BF16 with DeepSpeed, NeMo 24.07 on 8–512 H100s in FP8, " +
    "Megatron-LM weak scaling on 48–6,144 H100s in BF16 (1.7B–462B), torchtitan FSDP on A100s, and vTrain's A100 runs. A plan far outside these " +
    "(another GPU, framework or scale) is an extrapolation: read its numbers as estimates, and its assumptions above first."));
  T.add(T.note("Simulated: " + (S.simulation || {}).simulated_gpus + " GPUs" + ((S.simulation || {}).full ? " (every GPU)" : " (one per pipeline stage; the others are copies)") +
    ", " + T.num((S.simulation || {}).events) + " events. Data: summary.json and the trace of this run."));
  T.renderCheck();
})();
