/* examgen web UI — the exam editor: edit, move, delete and regenerate questions, then print again. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $, el } = EG;
  const box = $("#exam-editor");
  const ol = $("#editor-list");
  const titleInput = $("#editor-title");
  const errorBox = $("#editor-error");
  const result = $("#editor-result");
  const save = $("#editor-save");
  const state = { job: null, questions: [], printing: null };
  const TYPE_LABEL = { cloze: "typeCloze", choice: "typeChoice", truefalse: "typeTruefalse", short: "typeShort" };

  /* Read what the teacher typed back into the questions (before any redraw or save). */
  function collect() {
    ol.querySelectorAll("li.q-edit").forEach((li, i) => {
      const q = state.questions[i];
      q.stem = li.querySelector(".q-stem").value;
      q.answer = li.querySelector(".q-answer").value;
      q.points = Number(li.querySelector(".q-points").value);
      q.options = Array.from(li.querySelectorAll(".q-option")).map((input) => input.value);
    });
  }

  function field(id, label, control) {
    control.id = id;
    return el("div", { class: "field" }, el("label", { for: id, text: label }), control);
  }

  function tool(action, text, label, disabled) {
    return el("button", { type: "button", class: "btn btn-small" + (action === "delete" ? " btn-quiet btn-danger" : ""), "data-action": action, "aria-label": label, title: label, disabled, text });
  }

  function item(q, i) {
    const n = i + 1;
    const id = "q" + n;
    const meta = [t(TYPE_LABEL[q.type] || q.type), q.page ? t("sourcePage", { n: q.page }) : ""].filter(Boolean).join(" · ");
    const head = el(
      "div",
      { class: "q-head" },
      el("h3", {}, t("questionN", { n }), el("span", { class: "job-meta", text: " · " + meta })),
      el(
        "div",
        { class: "q-tools" },
        tool("up", "↑", t("moveUp", { n }), i === 0),
        tool("down", "↓", t("moveDown", { n }), i === state.questions.length - 1),
        tool("regenerate", t("regenerate"), t("regenerateN", { n }), false),
        tool("delete", t("delete"), t("deleteQuestion", { n }), state.questions.length === 1)
      )
    );
    const stem = el("textarea", { class: "q-stem", rows: 3, maxLength: 2000, value: q.stem });
    const li = el("li", { class: "q-edit", "data-qid": q.id }, head, field(id + "-stem", t("stem"), stem));
    if (q.options.length) {
      const opts = el("div", { class: "q-options" });
      q.options.forEach((o, k) => opts.append(field(id + "-opt" + k, t("optionN", { letter: "ABCDEF"[k] }), el("input", { type: "text", class: "q-option", maxLength: 300, value: o }))));
      li.append(opts);
    }
    // a short answer's key is a whole definition: it gets room to be read and changed
    const answer = q.type === "short" ? el("textarea", { class: "q-answer", rows: 3, maxLength: 4000, value: q.answer }) : el("input", { type: "text", class: "q-answer", maxLength: 4000, value: q.answer });
    const points = el("input", { type: "number", class: "q-points", min: 0, max: 100, step: 0.5, inputMode: "decimal", value: String(q.points) });
    li.append(el("div", { class: "q-row" }, field(id + "-answer", t("answer"), answer), field(id + "-points", t("points"), points)));
    return li;
  }

  function draw(focus) {
    ol.replaceChildren(...state.questions.map(item));
    ol.setAttribute("aria-busy", "false");
    if (focus) {
      const target = ol.querySelector(focus);
      if (target && !target.disabled) target.focus();
    }
  }

  async function open(job) {
    ol.setAttribute("aria-busy", "true");
    const r = await EG.api("GET", "/api/jobs/" + job.job_id + "/questions");
    ol.setAttribute("aria-busy", "false");
    if (!r.ok) return EG.toast(EG.explain(r), "error");
    state.job = job;
    state.questions = r.data.questions;
    state.printing = null;
    titleInput.value = r.data.title;
    result.replaceChildren();
    EG.showError(errorBox, "");
    box.hidden = false;
    draw();
    box.scrollIntoView({ block: "start" });
    $("#editor-h").focus();
  }

  async function regenerate(i, button) {
    const q = state.questions[i];
    button.disabled = true;
    button.textContent = t("regenerating");
    const avoid = state.questions.flatMap((x) => [x.stem, x.source]).filter(Boolean).slice(0, 100);
    const r = await EG.api("POST", "/api/jobs/" + state.job.job_id + "/questions/" + encodeURIComponent(q.id) + "/regenerate", { avoid });
    if (!r.ok) {
      button.disabled = false;
      button.textContent = t("regenerate");
      return EG.toast(EG.explain(r), "error");
    }
    state.questions[i] = Object.assign(r.data.question, { id: q.id, points: q.points });
    draw('li:nth-child(' + (i + 1) + ') [data-action="regenerate"]');
    EG.toast(t("regenerated", { n: i + 1 }), "success");
  }

  ol.addEventListener("click", (ev) => {
    const button = ev.target.closest("button[data-action]");
    if (!button) return;
    collect();
    const li = button.closest("li.q-edit");
    const i = Array.from(ol.children).indexOf(li);
    const action = button.dataset.action;
    const qs = state.questions;
    if (action === "regenerate") return regenerate(i, button);
    if (action === "up" && i > 0) [qs[i - 1], qs[i]] = [qs[i], qs[i - 1]];
    else if (action === "down" && i < qs.length - 1) [qs[i + 1], qs[i]] = [qs[i], qs[i + 1]];
    else if (action === "delete" && qs.length > 1) qs.splice(i, 1);
    const to = action === "up" ? i : action === "down" ? i + 2 : Math.min(i + 1, qs.length);
    draw("li:nth-child(" + to + ') [data-action="' + (action === "delete" ? "regenerate" : action) + '"]');
  });

  save.addEventListener("click", async () => {
    collect();
    EG.showError(errorBox, "");
    const blank = state.questions.findIndex((q) => !q.stem.trim() || !q.answer.trim());
    if (blank >= 0) return EG.showError(errorBox, t("fillQuestion", { n: blank + 1 }));
    if (!titleInput.value.trim()) return EG.showError(errorBox, t("needTitle"));
    const questions = state.questions.map((q) => ({ id: q.id, type: q.type, stem: q.stem, options: q.options, answer: q.answer, points: q.points, page: q.page, source: q.source }));
    save.disabled = true;
    const r = await EG.api("PUT", "/api/jobs/" + state.job.job_id + "/questions", { title: titleInput.value.trim(), questions });
    save.disabled = false;
    if (!r.ok) return EG.showError(errorBox, EG.explain(r));
    state.printing = r.data.job;
    result.replaceChildren(el("p", { class: "job-phase", text: t("printing") }));
    if (EG.examList) EG.examList.prepend(r.data.job);
    EG.pollNow();
  });

  $("#editor-close").addEventListener("click", () => {
    box.hidden = true;
    state.job = null;
  });

  /* Follow the print job of the last save until its downloads are there. */
  EG.follow(
    () => (state.printing && !EG.FINAL.has(state.printing.status) ? [state.printing.job_id] : []),
    (jobs) => {
      const job = state.printing && jobs.find((j) => j.job_id === state.printing.job_id);
      if (!job || job.status === state.printing.status) return;
      state.printing = job;
      if (job.status === "success") {
        result.replaceChildren(el("p", { text: t("printed") }), EG.examDownloads(job));
        EG.toast(t("printed"), "success");
      } else if (EG.FINAL.has(job.status)) {
        result.replaceChildren(el("p", { class: "job-error", text: EG.errorLabel(job.error_code) || job.error || EG.statusLabel(job.status) }));
      }
    }
  );

  EG.examEditor = { open };
})();
