/* examgen web UI — the exams page: upload a course PDF, follow the generate job, download the exam. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $ } = EG;
  const form = $("#exam-form");
  const errorBox = $("#form-error");
  const submit = $("#exam-submit");
  const maxMb = EG.data.max_upload_mb || 20;
  const state = { page: 1, limit: 10 };
  const list = new EG.JobList($("#exam-list"), {
    editExams: true,
    onEdit: (job) => EG.examEditor.open(job),
    onChanged: (action) => action === "delete" && load(),
  });
  EG.examList = list;

  async function load() {
    const r = await EG.api("GET", "/api/jobs?kind=generate,render_exam&limit=" + state.limit + "&page=" + state.page + (EG.data.admin ? "&user=" + encodeURIComponent(EG.data.user) : ""));
    if (!r.ok) return;
    list.render(r.data.jobs);
    if (!r.data.total) list.ul.replaceChildren(EG.el("li", { class: "empty", text: t("noExams") }));
    EG.pager("", state, r.data.total, (page) => {
      state.page = page;
      load();
    });
  }

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    EG.showError(errorBox, "");
    const file = $("#pdf").files[0];
    const questions = Number($("#questions").value);
    if (!file) return fail(t("choosePdf"), "#pdf");
    if (!/\.pdf$/i.test(file.name) && file.type !== "application/pdf") return fail(t("pdfOnly"), "#pdf");
    if (file.size > maxMb * 1024 * 1024) return fail(t("tooBig", { mb: maxMb }), "#pdf");
    if (!Number.isInteger(questions) || questions < 1 || questions > 50) return fail(t("questionsRange"), "#questions");
    const data = new FormData();
    data.append("file", file);
    const kinds = ["cloze", "choice", "truefalse", "short"];
    const counts = kinds.filter((k) => $("#n-" + k).value.trim() !== "").map((k) => k + ":" + $("#n-" + k).value.trim());
    if (counts.length) data.append("types", counts.join(","));
    else data.append("questions", String(questions));
    data.append("points", kinds.map((k) => k + ":" + ($("#p-" + k).value.trim() || "0")).join(","));
    data.append("title", $("#exam-title").value.trim());
    data.append("subject", $("#exam-subject").value.trim());
    data.append("pages", $("#exam-pages").value.trim());
    data.append("lang", (document.documentElement.lang || "zh").slice(0, 2));
    if ($("#exam-another").checked) data.append("seed", String(1 + Math.floor(Math.random() * 2147483646)));
    EG.askNotify();
    submit.disabled = true;
    const r = await EG.api("POST", "/api/jobs/generate", data);
    submit.disabled = false;
    if (!r.ok) return fail(explainUpload(r));
    const job = r.data.job || { job_id: r.data.job_id, status: "queued", kind: "generate" };
    EG.batches.add([job.job_id]);
    state.page = 1;
    const empty = list.ul.querySelector("li.empty");
    if (empty) empty.remove();
    list.prepend(job);
    EG.toast(t("examQueued"), "success");
    form.reset();
  });

  const pdfInput = $("#pdf");
  const pdfName = $("#pdf-name");
  const noFile = pdfName.textContent;
  pdfInput.addEventListener("change", () => {
    const file = pdfInput.files[0];
    pdfName.textContent = file ? file.name + " · " + (file.size / 1048576).toFixed(1) + " MB" : noFile;
  });
  form.addEventListener("reset", () => setTimeout(() => (pdfName.textContent = noFile)));

  // a PDF too short for the count asked: the figures the server found, in the page's language
  function explainUpload(r) {
    const err = r.error || {};
    if (err.code !== "not_enough_text" || err.requested == null) return EG.explain(r);
    return err.supported ? t("notEnoughText", { n: err.supported, m: err.requested }) : t("noUsableText");
  }

  function fail(message, focus) {
    EG.showError(errorBox, message);
    if (focus) $(focus).focus();
  }

  EG.every(10000, load);
})();
