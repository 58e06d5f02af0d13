/* examgen web UI — the publish page: several articles (typed or dropped files), one batch of jobs. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $ } = EG;
  const form = $("#publish-form");
  const rows = $("#articles");
  const tpl = $("#article-tpl");
  const errorBox = $("#form-error");
  const submit = $("#submit");
  const platform = $("#platform");
  const account = $("#account");
  const batchList = new EG.JobList($("#batch-list"));
  const MAX = EG.data.max_articles || 100; // the API's limit of articles per submission
  const note = $("#files-note");
  let accounts = [];
  let idempotencyKey = newKey();
  let seq = 0;

  function newKey() {
    // one key per batch: a double click or a retried request never publishes twice
    return window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  function renumber() {
    const items = Array.from(rows.children);
    items.forEach((li, i) => {
      li.querySelector(".article-n").textContent = t("article", { n: i + 1 });
      const remove = li.querySelector(".remove-article");
      remove.setAttribute("aria-label", t("removeArticle", { n: i + 1 }));
      remove.hidden = items.length === 1;
    });
    $("#article-count").textContent = items.length;
    $("#clear-articles").hidden = items.length === 1;
    $("#add-article").disabled = items.length >= MAX;
    submit.textContent = items.length > 1 ? t("publishN", { n: items.length }) : submit.dataset.label;
  }

  function addRow(title, body, focus) {
    const li = tpl.content.firstElementChild.cloneNode(true);
    seq += 1;
    for (const [cls, input] of [["lbl-title", ".a-title"], ["lbl-body", ".a-body"]]) {
      const id = "a" + seq + input.replace(".a", "");
      li.querySelector(input).id = id;
      li.querySelector("." + cls).setAttribute("for", id);
    }
    li.querySelector(".a-title").value = title || "";
    li.querySelector(".a-body").value = body || "";
    li.querySelector(".remove-article").addEventListener("click", () => {
      const next = li.nextElementSibling || li.previousElementSibling;
      li.remove();
      renumber();
      if (next) next.querySelector(".a-title").focus();
    });
    rows.append(li);
    renumber();
    if (focus) li.querySelector(".a-title").focus();
    return li;
  }

  function isEmpty(li) {
    return !li.querySelector(".a-title").value.trim() && !li.querySelector(".a-body").value.trim();
  }

  /* A Markdown or text file: the first "# heading" is the title, else the file name; the rest is the body. */
  function parseFile(name, text) {
    const lines = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").split("\n");
    const first = lines.findIndex((l) => l.trim());
    const heading = first >= 0 && /^#\s+(.+?)\s*#*\s*$/.exec(lines[first]);
    if (heading) return { title: heading[1].trim(), body: lines.slice(first + 1).join("\n").trim() };
    return { title: name.replace(/\.(md|markdown|txt)$/i, ""), body: text.trim() };
  }

  async function addFiles(files) {
    let added = 0;
    let left = 0;
    showNote("");
    for (const file of files) {
      if (!/\.(md|markdown|txt)$/i.test(file.name)) {
        EG.toast(t("fileBad", { name: file.name }), "warn");
        continue;
      }
      if (rows.children.length >= MAX && !Array.from(rows.children).some(isEmpty)) {
        left += 1; // never more editors than one submission can take
        continue;
      }
      const article = parseFile(file.name, await file.text());
      if (!article.body) {
        EG.toast(t("fileEmpty", { name: file.name }), "warn");
        continue;
      }
      const blank = Array.from(rows.children).find(isEmpty);
      if (blank) {
        blank.querySelector(".a-title").value = article.title;
        blank.querySelector(".a-body").value = article.body;
      } else addRow(article.title, article.body);
      added += 1;
    }
    if (added) EG.toast(t("filesRead", { n: added }), "success");
    if (left) showNote(added ? t("tooManyFiles", { max: MAX, n: added, m: left }) : t("batchFull", { max: MAX, m: left }));
  }

  function showNote(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  /* Clear all: back to one blank article, after a confirm when any text would be lost. */
  $("#clear-articles").addEventListener("click", () => {
    const items = Array.from(rows.children);
    if (!items.every(isEmpty) && !window.confirm(t("confirmClear", { n: items.length }))) return;
    rows.replaceChildren();
    showNote("");
    addRow("", "", true);
  });

  const drop = $("#dropzone");
  for (const type of ["dragenter", "dragover"]) {
    drop.addEventListener(type, (ev) => {
      ev.preventDefault();
      drop.classList.add("dragging");
    });
  }
  for (const type of ["dragleave", "drop"]) drop.addEventListener(type, () => drop.classList.remove("dragging"));
  drop.addEventListener("drop", (ev) => {
    ev.preventDefault();
    addFiles(Array.from(ev.dataTransfer.files || []));
  });
  $("#choose-files").addEventListener("click", () => $("#files").click());
  $("#files").addEventListener("change", (ev) => {
    addFiles(Array.from(ev.target.files || []));
    ev.target.value = "";
  });
  $("#add-article").addEventListener("click", () => {
    if (rows.children.length < MAX) addRow("", "", true);
  });

  async function loadAccounts() {
    const r = await EG.api("GET", "/api/accounts");
    accounts = r.ok ? r.data.accounts : [];
    showAccounts();
  }
  function showAccounts() {
    const mine = accounts.filter((a) => a.platform === platform.value);
    const before = account.value;
    account.replaceChildren(...mine.map((a) => EG.el("option", { value: a.name, text: a.identity ? a.name + " (" + a.identity + ")" : a.name })));
    if (mine.some((a) => a.name === before)) account.value = before;
    account.disabled = !mine.length;
    $("#account-hint").hidden = !!mine.length;
    if (!mine.length) account.append(EG.el("option", { value: "", text: t("noAccountShort") })); // the hint below says it in full
  }
  platform.addEventListener("change", showAccounts);

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    EG.showError(errorBox, "");
    const articles = [];
    for (const li of rows.children) {
      if (isEmpty(li) && rows.children.length > 1) continue;
      const title = li.querySelector(".a-title");
      const body = li.querySelector(".a-body");
      if (!title.value.trim() || !body.value.trim()) {
        EG.showError(errorBox, t("fillAll"));
        (title.value.trim() ? body : title).focus();
        return;
      }
      articles.push({ title: title.value.trim(), content: body.value });
    }
    if (!account.value) {
      EG.showError(errorBox, t("noAccount"));
      return;
    }
    EG.askNotify(); // asked on a click, as browsers require
    submit.disabled = true;
    const body = { platform: platform.value, account: account.value, priority: Number($("#priority").value), articles };
    // datetime-local is the browser's local time: send it as an absolute instant, with its zone
    const when = $("#publish-at").value;
    if (when) {
      const instant = new Date(when);
      if (Number.isNaN(instant.getTime())) {
        EG.showError(errorBox, t("badTime"));
        $("#publish-at").focus();
        return;
      }
      body.publish_at = instant.toISOString();
    }
    if ($("#spread").value) body.spread = $("#spread").value;
    const r = await EG.api("POST", "/api/jobs/publish", body, { "Idempotency-Key": idempotencyKey });
    submit.disabled = false;
    if (!r.ok) {
      // a limit that leaves room for part of the batch: say which part could go now
      const room = r.error && r.error.can_submit;
      const part = [429, 503].includes(r.status) && room > 0 && room < articles.length;
      const trim = part ? t("trimBatch", { n: room, m: articles.length - room }) : "";
      EG.showError(errorBox, EG.sentences([EG.explain(r), trim]));
      return;
    }
    idempotencyKey = newKey();
    const jobs = r.data.jobs;
    EG.batches.add(jobs.map((j) => j.job_id));
    $("#batch").hidden = false;
    jobs.slice().reverse().forEach((j) => batchList.prepend(j));
    const later = jobs.filter((j) => j.status === "scheduled").length;
    if (later) EG.toast(t("scheduledMany", { n: later, time: EG.fullTime(jobs[0].publish_at) }), "success");
    else EG.toast(jobs.length === 1 ? t("queuedOne") : t("queuedMany", { n: jobs.length }), "success");
    rows.replaceChildren();
    addRow();
    showNote("");
    $("#publish-at").value = "";
    $("#spread").value = "";
    $("#batch").scrollIntoView({ behavior: "smooth", block: "start" });
  });

  submit.dataset.label = submit.textContent;
  addRow();
  loadAccounts();
})();
