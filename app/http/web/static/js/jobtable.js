/* examgen web UI — the jobs as a dense table: one row per job, sortable columns, selection for bulk actions. */
(function () {
  "use strict";
  const EG = window.EG;
  const { el, t } = EG;
  const parts = EG.jobParts;

  function duration(job) {
    if (!job.started_at) return "–";
    const end = job.finished_at ? Date.parse(job.finished_at) : job.status === "running" ? Date.now() : null;
    return end == null ? "–" : EG.duration((end - Date.parse(job.started_at)) / 1000);
  }

  /* what tells two jobs of the same title apart: the file, the platform and account, the id's start */
  function detail(job) {
    const bits = [];
    if (job.source) bits.push(job.source);
    if (job.kind === "publish") bits.push(parts.where(job));
    if (job.article_id) bits.push(job.article_id);
    bits.push("#" + job.job_id.slice(0, 8));
    return bits.filter(Boolean).join(" · ");
  }

  function when(iso) {
    return iso ? el("time", { datetime: iso, title: EG.fullTime(iso), text: EG.time(iso) }) : "–";
  }

  /* an exam's four files as a line of small links: the table stays one line a job */
  function downloads(job) {
    const base = "/api/jobs/" + job.job_id + "/result";
    const files = [
      ["download-student", base + "?variant=student", "downloadStudent"],
      ["download-key", base + "?variant=key", "downloadKey"],
      ["download-docx", base + "?format=docx", "downloadDocx"],
      ["download", base, "download"],
    ];
    const line = el("span", { class: "jt-downloads" });
    files.forEach(([cls, href, key], i) => {
      if (i) line.append(" · ");
      line.append(el("a", { class: cls, href, download: "", text: t(key) }));
    });
    return line;
  }

  function titleCell(job) {
    const name = job.kind === "check_login" ? t("checkLoginTitle", { account: parts.where(job) }) : job.title || t("untitled");
    const cell = el("td", { class: "jt-title" }, el("span", { class: "job-name", text: name }), el("span", { class: "jt-detail", text: detail(job) }));
    const waiting = parts.UNFINISHED.has(job.status) ? parts.waitingText(job) : "";
    if (waiting) cell.append(el("span", { class: "job-phase", text: waiting }));
    const exam = (job.kind === "generate" || job.kind === "render_exam") && job.status === "success" && job.has_result;
    const out = exam ? downloads(job) : parts.outcome(job);
    if (out) {
      // the long parts (an error with its screenshot, the review form) fold away: the row stays one line high
      const summary = job.status === "needs_review" ? t("reviewHelpShort") : EG.errorLabel(job.error_code) || job.error || "";
      if (job.status === "success") cell.append(out);
      else cell.append(el("details", { class: "jt-more" }, el("summary", { text: summary || t("details") }), out));
    }
    return cell;
  }

  function fillRow(tr, job, opts) {
    tr.dataset.status = job.status;
    tr.dataset.updated = job.updated_at || "";
    tr.className = "jt-row jt-" + job.status;
    const name = job.title || t("untitled");
    const pick = el("input", { type: "checkbox", class: "pick", "data-action": "pick", "aria-label": t("selectJob", { title: name }) });
    pick.checked = opts.selected.has(job.job_id);
    const status = el("td", { class: "jt-status" }, el("span", { class: "badge badge-" + job.status, text: EG.statusLabel(job.status) }));
    if (job.status === "running") status.append(el("span", { class: "pct", text: " " + (job.progress || 0) + "%" }));
    tr.replaceChildren(
      el("td", { class: "jt-pick" }, pick),
      status,
      titleCell(job),
      el("td", { class: "jt-kind", text: EG.kindLabel(job.kind) }),
      el("td", { class: "jt-time" }, when(job.created_at)),
      el("td", { class: "jt-time" }, when(job.started_at)),
      el("td", { class: "num jt-duration", text: duration(job) }),
      el("td", { class: "num jt-attempts", text: job.attempts + "/" + job.max_attempts }),
      el("td", { class: "actions" }, parts.actions(job, opts))
    );
  }

  class JobTable extends EG.JobList {
    /* ``opts.onSelection(ids)`` hears every change of the selection */
    constructor(tbody, opts) {
      super(tbody, Object.assign({ onSelection: () => {} }, opts || {}));
      this.opts.selected = new Set();
      tbody.addEventListener("change", (ev) => {
        const box = ev.target.closest("input.pick");
        if (!box) return;
        const id = box.closest("[data-id]").dataset.id;
        if (box.checked) this.opts.selected.add(id);
        else this.opts.selected.delete(id);
        this.selectionChanged();
      });
    }
    makeRow(id) {
      return el("tr", { "data-id": id });
    }
    fillRow(row, job) {
      fillRow(row, job, this.opts);
    }
    remove(id) {
      super.remove(id);
      if (this.opts.selected.delete(id)) this.selectionChanged();
    }
    render(jobs) {
      super.render(jobs);
      // a selection only ever holds rows the table shows
      for (const id of Array.from(this.opts.selected)) if (!this.jobs.has(id)) this.opts.selected.delete(id);
      this.selectionChanged();
    }
    selected() {
      return Array.from(this.opts.selected);
    }
    selectAll(on) {
      for (const id of this.jobs.keys()) on ? this.opts.selected.add(id) : this.opts.selected.delete(id);
      for (const box of this.ul.querySelectorAll("input.pick")) box.checked = on;
      this.selectionChanged();
    }
    selectionChanged() {
      this.opts.onSelection(this.selected());
    }
    /* the selected jobs to which ``action`` applies */
    eligible(action) {
      return this.selected().filter((id) => {
        const job = this.jobs.get(id);
        // a cancel already asked for is not asked again
        return !!job && parts.allows[action](job) && !(action === "cancel" && job.cancel_requested);
      });
    }
  }

  EG.JobTable = JobTable;
})();
