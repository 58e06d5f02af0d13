/* examgen web UI — a live list of jobs: badges, progress, queue position, errors, actions. */
(function () {
  "use strict";
  const { el, t, FINAL } = window.EG;
  const EG = window.EG;
  const UNFINISHED = new Set(["pending", "scheduled", "queued", "running", "retrying"]);
  // failed because of the PDF itself: a retry reads the same file and fails again (app/errors.py CONTENT_ERROR_CODES)
  const NO_RETRY = new Set(["not_enough_text", "no_text", "unreadable_pdf", "pdf_too_complex", "encrypted_pdf"]);

  /* waiting for its account's fresh cookies (the engine's paused phase): no start time, a note why */
  function isPaused(job) {
    return job.status === "queued" && !!job.phase && job.phase.startsWith("Paused");
  }

  function waitingText(job) {
    const parts = [];
    if (isPaused(job)) {
      parts.push(EG.phaseLabel(job.phase)); /* no start time: it waits for its account */
    } else if (job.status === "queued" && job.position) {
      parts.push(t("inQueue", { n: job.position }));
      const eta = job.estimated_start_seconds;
      parts.push(eta == null || eta < 1 ? t("startsSoon") : t("startsIn", { time: EG.duration(eta) }));
    } else if (job.status === "scheduled" && job.publish_at) {
      parts.push(t("scheduledFor", { time: EG.fullTime(job.publish_at) }));
    } else if (job.status === "retrying") {
      if (job.estimated_start_seconds != null) parts.push(t("retryIn", { time: EG.duration(job.estimated_start_seconds) }));
      parts.push(t("attempt", { n: job.attempts + 1, max: job.max_attempts }));
    } else if (job.status === "running") {
      const phase = EG.phaseLabel(job.phase);
      if (phase) parts.push(phase);
      if (job.attempts > 1) parts.push(t("attempt", { n: job.attempts, max: job.max_attempts }));
    }
    if (job.cancel_requested && UNFINISHED.has(job.status)) parts.push(t("cancelling"));
    return parts.join(" · ");
  }

  function progressBar(job) {
    const pct = Math.max(0, Math.min(100, job.progress || 0));
    const fill = el("span", { class: "bar-fill" });
    fill.style.width = pct + "%";
    const bar = el("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(pct), "aria-label": EG.statusLabel(job.status) }, fill);
    return el("div", { class: "job-progress" }, bar, el("span", { class: "pct", text: pct + "%" }));
  }

  function outcome(job) {
    if (job.status === "success") {
      if ((job.kind === "generate" || job.kind === "render_exam") && job.has_result) return EG.examDownloads(job);
      if (job.result_url && job.kind === "publish") {
        return el("p", { class: "job-result" }, el("a", { class: "result-link", href: job.result_url, target: "_blank", rel: "noopener noreferrer", text: t("openArticle") + " ↗" }));
      }
      return null;
    }
    const paused = isPaused(job);
    if (job.status === "failed" || paused || (job.status === "retrying" && job.error) || (job.status === "cancelled" && job.error)) {
      const known = EG.errorLabel(job.error_code);
      const box = el("div", { class: job.status === "failed" ? "job-error" : "job-note" });
      const text = el("div", { class: "job-error-text" });
      if (known) text.append(el("p", { class: "err-main", text: known }));
      const detail = job.error ? job.error + (job.error_code ? " (" + job.error_code + ")" : "") : "";
      // the server's message is English: under a translated label it is a folded detail for support, not a second line
      if (detail && known && !/^en/.test(EG.lang)) text.append(el("details", { class: "err-detail" }, el("summary", { text: t("errorDetail", { code: job.error_code }) }), el("p", { text: job.error })));
      else if (detail) text.append(el("p", { class: known ? "err-detail" : "err-main", text: detail }));
      if (paused) text.append(el("p", {}, el("a", { class: "update-cookies", href: "/accounts", text: t("updateCookies") })));
      box.append(text);
      if (job.has_screenshot) {
        const url = "/api/jobs/" + job.job_id + "/screenshot";
        box.append(el("a", { class: "thumb-link", href: url, target: "_blank", rel: "noopener", title: t("screenshot") }, el("img", { class: "thumb", src: url + "?v=" + encodeURIComponent(job.updated_at || ""), alt: t("screenshot"), loading: "lazy" })));
      }
      return box;
    }
    if (job.status === "needs_review") {
      const id = "review-" + job.job_id;
      return el(
        "div",
        { class: "review" },
        el("p", { text: t("reviewHelp") }),
        el("label", { for: id, text: t("reviewUrl") }),
        el("input", { id, type: "url", class: "review-url", placeholder: "https://", autocomplete: "off" }),
        el("div", { class: "review-actions" }, el("button", { type: "button", class: "btn btn-small btn-primary", "data-action": "published", text: t("reviewPublished") }), el("button", { type: "button", class: "btn btn-small", "data-action": "unpublished", text: t("reviewNotPublished") }))
      );
    }
    return null;
  }

  /* The four downloads of a finished exam (student copy, key, Word, combined). */
  EG.examDownloads = function (job) {
    const base = "/api/jobs/" + job.job_id + "/result";
    return el(
      "p",
      { class: "job-result" },
      el("a", { class: "btn btn-small btn-primary download-student", href: base + "?variant=student", download: "", text: t("downloadStudent") }),
      " ",
      el("a", { class: "btn btn-small download-key", href: base + "?variant=key", download: "", text: t("downloadKey") }),
      " ",
      el("a", { class: "btn btn-small download-docx", href: base + "?format=docx", download: "", text: t("downloadDocx") }),
      " ",
      el("a", { class: "btn btn-small download", href: base, download: "", text: t("download") })
    );
  };

  /* whether cancel, retry or delete applies to a job: one rule for its buttons and for bulk actions */
  const allows = {
    cancel: (job) => UNFINISHED.has(job.status),
    retry: (job) => ["failed", "cancelled", "needs_review"].includes(job.status) && !(job.status === "failed" && NO_RETRY.has(job.error_code)),
    delete: (job) => FINAL.has(job.status),
  };

  function actions(job, opts) {
    const box = el("div", { class: "job-actions" });
    if (opts.editExams && job.status === "success" && job.has_result && (job.kind === "generate" || job.kind === "render_exam")) box.append(el("button", { type: "button", class: "btn btn-small", "data-action": "edit", text: t("editQuestions") }));
    if (allows.cancel(job)) box.append(el("button", { type: "button", class: "btn btn-small", "data-action": "cancel", disabled: !!job.cancel_requested, text: job.cancel_requested ? t("cancelling") : t("cancel") }));
    if (allows.retry(job)) box.append(el("button", { type: "button", class: "btn btn-small", "data-action": "retry", text: t("retry") }));
    if (allows.delete(job)) box.append(el("button", { type: "button", class: "btn btn-small btn-quiet btn-danger", "data-action": "delete", text: t("delete") }));
    return box;
  }

  function where(job) {
    const platform = (EG.i18n.platforms || {})[job.platform] || job.platform;
    return [platform, job.account].filter(Boolean).join(" / ");
  }

  function meta(job, showUser) {
    const bits = [EG.kindLabel(job.kind)];
    if (job.kind === "publish") bits.push(where(job));
    if (job.kind === "generate" && job.questions) bits.push(t("questionsN", { n: job.questions }));
    if (showUser && job.username) bits.push(t("by", { user: job.username }));
    const when = FINAL.has(job.status) && job.finished_at ? t("finished", { time: EG.ago(job.finished_at) }) : t("created", { time: EG.ago(job.created_at) });
    bits.push(when);
    return el("p", { class: "job-meta", title: EG.fullTime(job.created_at) }, bits.filter(Boolean).join(" · "));
  }

  function fill(li, job, opts) {
    li.dataset.status = job.status;
    li.dataset.updated = job.updated_at || "";
    li.className = "job job-" + job.status;
    const title = el("h3", { class: "job-title" }, el("span", { class: "badge badge-" + job.status, text: EG.statusLabel(job.status) }), el("span", { class: "job-name", text: job.kind === "check_login" ? t("checkLoginTitle", { account: where(job) }) : job.title || t("untitled") }));
    const main = el("div", { class: "job-main" }, title, meta(job, opts.showUser));
    if (UNFINISHED.has(job.status)) {
      if (job.status === "running") main.append(progressBar(job));
      main.append(el("p", { class: "job-phase", text: waitingText(job) }));
    }
    const out = outcome(job);
    if (out) main.append(out);
    li.replaceChildren(main, actions(job, opts));
  }

  class JobList {
    constructor(ul, opts) {
      this.ul = ul;
      this.opts = Object.assign({ showUser: false, editExams: false, onChanged: () => {}, onEdit: () => {} }, opts || {});
      this.jobs = new Map();
      ul.addEventListener("click", (ev) => this.onClick(ev));
      EG.follow(() => this.unfinishedIds(), (jobs) => jobs.forEach((j) => this.jobs.has(j.job_id) && this.update(j)));
    }
    row(id) {
      return this.ul.querySelector('[data-id="' + id + '"]');
    }
    /* a new, empty row for a job (a card here; a table row in EG.JobTable) */
    makeRow(id) {
      return el("li", { "data-id": id });
    }
    fillRow(row, job) {
      fill(row, job, this.opts);
    }
    unfinishedIds() {
      return Array.from(this.jobs.values()).filter((j) => !FINAL.has(j.status)).map((j) => j.job_id);
    }
    /* Show exactly ``jobs`` in this order, reusing rows so focus and typed text survive. */
    render(jobs) {
      const keep = new Set(jobs.map((j) => j.job_id));
      for (const c of Array.from(this.ul.children)) if (!c.dataset.id) c.remove(); // an "empty" note
      for (const id of Array.from(this.jobs.keys())) if (!keep.has(id)) this.remove(id);
      jobs.forEach((job, i) => {
        const li = this.update(job);
        if (this.ul.children[i] !== li) this.ul.insertBefore(li, this.ul.children[i] || null);
      });
      this.ul.setAttribute("aria-busy", "false");
    }
    update(job) {
      const old = this.jobs.get(job.job_id);
      this.jobs.set(job.job_id, job);
      let li = this.row(job.job_id);
      if (!li) {
        li = this.makeRow(job.job_id);
        this.ul.append(li);
      } else if (old && old.status === job.status && job.status === "needs_review") {
        return li; // keep the address the user is typing
      } else if (old && old.updated_at === job.updated_at && old.position === job.position && old.estimated_start_seconds === job.estimated_start_seconds && li.dataset.status === job.status) {
        return li;
      }
      const focused = li.contains(document.activeElement) ? document.activeElement.dataset.action : null;
      this.fillRow(li, job);
      if (focused) {
        const again = li.querySelector('[data-action="' + focused + '"]');
        if (again) again.focus();
      }
      return li;
    }
    prepend(job) {
      this.update(job);
      this.ul.prepend(this.row(job.job_id));
    }
    remove(id) {
      this.jobs.delete(id);
      const li = this.row(id);
      if (li) li.remove();
    }
    async onClick(ev) {
      const button = ev.target.closest("button[data-action]");
      if (!button) return;
      const li = button.closest("[data-id]");
      const id = li.dataset.id;
      const job = this.jobs.get(id) || {};
      const action = button.dataset.action;
      if (action === "edit") return this.opts.onEdit(job);
      let r;
      if (action === "delete" && !window.confirm(t("confirmDelete", { title: job.title || t("untitled") }))) return;
      if (action === "published") {
        const input = li.querySelector(".review-url");
        if (!/^https?:\/\/\S+$/.test(input.value.trim())) {
          EG.toast(t("needUrl"), "error");
          input.focus();
          return;
        }
      }
      button.disabled = true;
      if (action === "cancel") button.textContent = t("cancelling");
      const base = "/api/jobs/" + id;
      if (action === "cancel") r = await EG.api("POST", base + "/cancel");
      else if (action === "retry") r = await EG.api("POST", base + "/retry");
      else if (action === "delete") r = await EG.api("DELETE", base);
      else if (action === "published") r = await EG.api("POST", base + "/resolve", { result_url: li.querySelector(".review-url").value.trim() });
      else if (action === "unpublished") r = await EG.api("POST", base + "/resolve", { failed: true });
      if (!r.ok) {
        EG.toast(EG.explain(r), "error");
        const fresh = await EG.api("GET", "/api/jobs/status?ids=" + id);
        if (fresh.ok && fresh.data.jobs.length) this.fillRow(li, fresh.data.jobs[0]);
        else button.disabled = false;
        return;
      }
      if (action === "delete") this.remove(id);
      else if (r.data && r.data.job) {
        this.jobs.delete(id); // force a redraw even if the timestamps match
        this.update(r.data.job);
        if (action === "retry") EG.pollNow();
      }
      this.opts.onChanged(action, id);
    }
  }

  EG.JobList = JobList;
  // the pieces of a card that the table view shows too
  EG.jobParts = { UNFINISHED, allows, isPaused, waitingText, outcome, actions, where };

  /* The list summary and pager shared by every paged job list. */
  EG.pager = function (prefix, state, total, onPage) {
    const pages = Math.max(1, Math.ceil(total / state.limit));
    const nav = document.getElementById(prefix + "pager");
    if (!nav) return;
    nav.hidden = pages <= 1;
    document.getElementById(prefix + "page-info").textContent = t("pageOf", { page: state.page, pages });
    const prev = document.getElementById(prefix + "prev");
    const next = document.getElementById(prefix + "next");
    prev.disabled = state.page <= 1;
    next.disabled = state.page >= pages;
    prev.onclick = () => onPage(state.page - 1);
    next.onclick = () => onPage(state.page + 1);
  };
})();
