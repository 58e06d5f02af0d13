/* examgen web UI — the jobs monitor: a table (desktop) or cards, search, filters, sorting, paging, bulk actions. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $ } = EG;
  const form = document.getElementById("filters");
  const summary = document.getElementById("list-summary");
  const query = new URLSearchParams(location.search);
  const VIEW_KEY = "examgen.jobsView";
  const LIMITS = [20, 50, 100];
  const wideScreen = window.matchMedia("(min-width: 900px)").matches;
  const state = {
    q: query.get("q") || "",
    status: query.get("status") || "",
    kind: query.get("kind") || "",
    sort: query.get("sort") || "-created",
    page: Number(query.get("page")) || 1,
    limit: LIMITS.includes(Number(query.get("limit"))) ? Number(query.get("limit")) : 20,
    // an address that names a view wins, then the user's last choice, then the screen: a table on desktops
    view: query.get("view") || localStorage.getItem(VIEW_KEY) || (wideScreen ? "table" : "cards"),
  };
  if (!["table", "cards"].includes(state.view)) state.view = wideScreen ? "table" : "cards";

  const cards = new EG.JobList(document.getElementById("job-list"), { onChanged: changed });
  const table = new EG.JobTable(document.getElementById("job-rows"), { onChanged: changed, onSelection: showSelection });
  let shown = [];
  const active = () => (state.view === "table" ? table : cards);

  function changed(action) {
    if (action === "delete") load();
  }

  /* ---- filters, search, page size ---- */
  for (const name of ["status", "kind", "limit"]) {
    const select = form.elements[name];
    if (!select) continue;
    select.value = String(state[name]);
    if (select.value !== String(state[name])) state[name] = select.value = name === "limit" ? "20" : ""; // an unknown value from an old link
    if (name === "limit") state.limit = Number(select.value);
    select.addEventListener("change", () => {
      state[name] = name === "limit" ? Number(select.value) : select.value;
      state.page = 1;
      load();
    });
  }
  const search = form.elements.q;
  search.value = state.q;
  let typing = null;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      if (search.value.trim() === state.q) return;
      state.q = search.value.trim();
      state.page = 1;
      load();
    }, 250);
  });
  form.addEventListener("submit", (ev) => ev.preventDefault());

  /* ---- the view: table or cards ---- */
  function showView() {
    const isTable = state.view === "table";
    $("#job-table-wrap").hidden = !isTable;
    cards.ul.hidden = isTable;
    for (const b of document.querySelectorAll("[data-view]")) b.setAttribute("aria-pressed", String(b.dataset.view === state.view));
    (isTable ? cards : table).render([]); // only the view shown follows its jobs
    active().render(shown);
    showSelection(table.selected());
  }
  for (const b of document.querySelectorAll("[data-view]")) {
    b.addEventListener("click", () => {
      state.view = b.dataset.view;
      localStorage.setItem(VIEW_KEY, state.view);
      showView();
      remember();
    });
  }

  /* ---- sorting: a column's button sorts by it; again, the other way ---- */
  function showSort() {
    const key = state.sort.replace(/^-/, "");
    const descending = state.sort.startsWith("-");
    for (const button of document.querySelectorAll("#job-table button.sort")) {
      const th = button.closest("th");
      const on = button.dataset.sort === key;
      th.setAttribute("aria-sort", on ? (descending ? "descending" : "ascending") : "none");
      button.querySelector(".sort-mark").textContent = on ? (descending ? " ↓" : " ↑") : "";
    }
  }
  document.querySelector("#job-table thead").addEventListener("click", (ev) => {
    const button = ev.target.closest("button.sort");
    if (!button) return;
    const key = button.dataset.sort;
    // times and attempts read best newest / most first; words and states from A
    const firstWay = ["created", "started", "attempts"].includes(key) ? "-" + key : key;
    state.sort = state.sort === firstWay ? (firstWay.startsWith("-") ? key : "-" + key) : firstWay;
    state.page = 1;
    load();
  });

  /* ---- selection and bulk actions ---- */
  const bar = $("#bulk-bar");
  const pageBox = $("#select-page");
  function showSelection(ids) {
    const n = ids.length;
    bar.hidden = !n || state.view !== "table";
    $("#bulk-count").textContent = t("selectedN", { n });
    for (const button of bar.querySelectorAll("[data-bulk]")) {
      const action = button.dataset.bulk;
      const count = table.eligible(action).length;
      button.textContent = t("bulk" + action[0].toUpperCase() + action.slice(1), { n: count });
      button.disabled = !count;
    }
    pageBox.checked = n > 0 && n === table.jobs.size;
    pageBox.indeterminate = n > 0 && n < table.jobs.size;
  }
  pageBox.addEventListener("change", () => table.selectAll(pageBox.checked));
  $("#bulk-clear").addEventListener("click", () => table.selectAll(false));
  const DONE = { cancel: "actionCancelled", retry: "actionRetried", delete: "actionDeleted" };
  bar.addEventListener("click", async (ev) => {
    const button = ev.target.closest("[data-bulk]");
    if (!button) return;
    const action = button.dataset.bulk;
    const ids = table.eligible(action);
    if (!ids.length) return EG.toast(t("nothingApplies", { action: t(DONE[action]) }), "error");
    if (action === "delete" && !window.confirm(t("confirmBulkDelete", { n: ids.length }))) return;
    button.disabled = true;
    const r = await EG.api("POST", "/api/jobs/bulk", { action, job_ids: ids });
    if (!r.ok) {
      EG.toast(EG.explain(r), "error");
      return showSelection(table.selected());
    }
    const label = t("action" + action[0].toUpperCase() + action.slice(1));
    const refused = r.data.results.filter((x) => !x.ok);
    if (refused.length) {
      const reason = EG.errorLabel(refused[0].code) || refused[0].message;
      EG.toast(t("bulkSomeRefused", { action: label, ok: r.data.succeeded, bad: refused.length, reason }), "error");
    } else EG.toast(t("bulkDone", { action: label, ok: r.data.succeeded }), "success");
    table.selectAll(false);
    await load();
    EG.pollNow();
  });

  /* ---- loading a page of jobs ---- */
  function remember() {
    // keep the filters in the address (bookmarkable) without a navigation
    const q = new URLSearchParams();
    for (const k of ["q", "status", "kind"]) if (state[k]) q.set(k, state[k]);
    if (state.sort !== "-created") q.set("sort", state.sort);
    if (state.limit !== 20) q.set("limit", state.limit);
    if (state.page > 1) q.set("page", state.page);
    if (query.get("view") && query.get("view") !== state.view) q.set("view", state.view);
    const url = location.pathname + (q.toString() ? "?" + q : "");
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  }

  let asked = 0;
  async function load() {
    const mine = ++asked; // a slower, older answer never overwrites a newer one
    const q = new URLSearchParams({ page: state.page, limit: state.limit, sort: state.sort });
    for (const k of ["q", "status", "kind"]) if (state[k]) q.set(k, state[k]);
    if (EG.data.admin) q.set("user", EG.data.user); // admins see everybody's jobs on the admin page
    const r = await EG.api("GET", "/api/jobs?" + q);
    if (mine !== asked) return;
    if (!r.ok) {
      summary.textContent = EG.explain(r);
      return;
    }
    const { jobs, total } = r.data;
    if (!jobs.length && total && state.page > 1) {
      state.page = Math.max(1, Math.ceil(total / state.limit));
      return load();
    }
    shown = jobs;
    active().render(jobs);
    document.getElementById("job-table").setAttribute("aria-busy", "false");
    const filtered = state.status || state.kind || state.q;
    summary.textContent = total ? t("jobs", { n: total }) : state.q ? t("searchNoMatch", { q: state.q }) : filtered ? t("noMatch") : "";
    if (!total && !filtered && state.view === "cards") cards.ul.replaceChildren(EG.el("li", { class: "empty", text: t("noJobs") }));
    if (!total && !filtered && state.view === "table") summary.textContent = t("noJobs");
    showSort();
    EG.pager("", state, total, (page) => {
      state.page = page;
      load();
      window.scrollTo({ top: 0 });
    });
    remember();
  }

  showView();
  // statuses of the visible unfinished jobs every 1.5 s (core.js); the whole page of jobs every 10 s
  EG.every(10000, load);
})();
