/* examgen web UI — the queue page: live figures and peaks, the pool, per-user figures, the last hour. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $, num } = EG;
  const SERIES = [
    { key: "queue_size", cls: "s-queue", area: true },
    { key: "processing", cls: "s-processing" },
  ];
  let samples = [];

  function set(id, value) {
    const node = document.getElementById(id);
    if (node) node.textContent = value;
  }
  const peak = (n, at) => (n ? t("peakAt", { n: num(n), time: EG.time(at) }) : "");

  async function status() {
    const r = await EG.api("GET", "/queue/status");
    const errorBox = $("#q-error");
    if (!r.ok) return EG.showError(errorBox, EG.explain(r));
    errorBox.hidden = true;
    const q = r.data;
    set("s-queue", num(q.queue_size));
    set("s-queue-peak", peak(q.max_queue_size, q.max_queue_size_at));
    set("s-scheduled", q.scheduled ? t("scheduledN", { n: num(q.scheduled) }) : "");
    set("s-processing", num(q.processing) + " / " + num(q.max_concurrent));
    set("s-processing-peak", peak(q.max_processing, q.max_processing_at));
    set("s-wait", EG.duration(q.estimated_wait_time));
    set("s-avg", q.avg_job_seconds ? t("avgJob", { time: EG.duration(q.avg_job_seconds) }) : "");
    set("s-processed", num(q.total_processed));
    set("s-failed", t("failedN", { n: num(q.total_failed) }));
    const u = q.user || {};
    set("u-queued", num(u.queued));
    set("u-running", num(u.running));
    // "0 s until my last job starts" reads as if a job were about to start: say there is none instead
    set("u-wait", u.queued ? EG.duration(u.estimated_wait_time) : t("noJobsWaiting"));
    set("u-can", u.can_submit == null ? "–" : num(u.can_submit));
    const p = q.pool || {};
    set("p-use", num(p.in_use) + " / " + num(p.size));
    set("p-idle", num(p.idle));
    set("p-created", num(p.created));
    set("p-recycled", num(p.recycled));
    set("p-max", num(q.max_concurrent));
    set("p-uptime", EG.duration(q.uptime_seconds));
    set("q-updated", t("updatedAt", { time: new Date().toLocaleTimeString(EG.lang) }) + (q.shutting_down ? " · " + EG.errorLabel("shutting_down") : ""));
    const table = $("#per-user tbody");
    if (table && q.users) {
      const names = Object.keys(q.users).sort();
      table.replaceChildren(...names.map((name) => EG.el("tr", {}, EG.el("th", { scope: "row", text: name }), EG.el("td", { class: "num", text: num(q.users[name].queued) }), EG.el("td", { class: "num", text: num(q.users[name].running) }))));
      $("#per-user-empty").hidden = names.length > 0;
      $("#per-user").hidden = !names.length;
    }
  }

  function draw() {
    const box = $("#chart");
    EG.drawChart(box, samples, SERIES, 3600);
    const maxOf = (k) => Math.max(0, ...samples.map((s) => s[k] || 0));
    box.setAttribute("aria-label", t("chartSummary", { q: maxOf("queue_size"), p: maxOf("processing") }));
  }

  async function history() {
    const r = await EG.api("GET", "/ui/queue/history");
    if (!r.ok) return;
    samples = r.data.samples || [];
    draw();
  }

  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(draw, 150);
  });
  EG.every(3000, status);
  EG.every((EG.data.interval || 10) * 1000, history);
})();
