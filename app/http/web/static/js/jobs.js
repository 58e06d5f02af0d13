/* examgen web UI — the jobs monitor: filters, paging, a live list that never reloads the page. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t } = EG;
  const form = document.getElementById("filters");
  const summary = document.getElementById("list-summary");
  const query = new URLSearchParams(location.search);
  const state = { status: query.get("status") || "", kind: query.get("kind") || "", page: Number(query.get("page")) || 1, limit: 20 };
  const list = new EG.JobList(document.getElementById("job-list"), { onChanged: (action) => action === "delete" && load() });

  for (const name of ["status", "kind"]) {
    const select = form.elements[name];
    if (!select) continue;
    select.value = state[name];
    if (select.value !== state[name]) state[name] = select.value = ""; // an unknown value from an old link
    select.addEventListener("change", () => {
      state[name] = select.value;
      state.page = 1;
      load();
    });
  }
  form.addEventListener("submit", (ev) => ev.preventDefault());

  function remember() {
    // keep the filters in the address (bookmarkable) without a navigation
    const q = new URLSearchParams();
    for (const k of ["status", "kind"]) if (state[k]) q.set(k, state[k]);
    if (state.page > 1) q.set("page", state.page);
    const url = location.pathname + (q.toString() ? "?" + q : "");
    if (url !== location.pathname + location.search) history.replaceState(null, "", url);
  }

  async function load() {
    const q = new URLSearchParams({ page: state.page, limit: state.limit });
    if (state.status) q.set("status", state.status);
    if (state.kind) q.set("kind", state.kind);
    if (EG.data.admin) q.set("user", EG.data.user); // admins see everybody's jobs on the admin page
    const r = await EG.api("GET", "/api/jobs?" + q);
    if (!r.ok) {
      summary.textContent = EG.explain(r);
      return;
    }
    const { jobs, total } = r.data;
    if (!jobs.length && total && state.page > 1) {
      state.page = Math.max(1, Math.ceil(total / state.limit));
      return load();
    }
    list.render(jobs);
    const filtered = state.status || state.kind;
    summary.textContent = total ? t("jobs", { n: total }) : filtered ? t("noMatch") : "";
    if (!total && !filtered) list.ul.replaceChildren(EG.el("li", { class: "empty", text: t("noJobs") }));
    EG.pager("", state, total, (page) => {
      state.page = page;
      load();
      window.scrollTo({ top: 0 });
    });
    remember();
  }

  // statuses of the visible unfinished jobs every 1.5 s (core.js); the whole page of jobs every 10 s
  EG.every(10000, load);
})();
