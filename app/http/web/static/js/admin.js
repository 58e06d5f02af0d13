/* examgen web UI — the admin page: users (create, disable/enable, new token, new password, delete) and everybody's jobs. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $, el } = EG;
  const tbody = $("#users tbody");
  const userSelect = $("#a-user");
  const form = $("#user-form");
  const errorBox = $("#form-error");
  let users = [];

  // a token or a password, shown once in the same box
  function showSecret(label, secret) {
    $("#token-label").textContent = label;
    $("#token-value").textContent = secret;
    $("#token-box").hidden = false;
    $("#token-copy").textContent = t("copy");
    $("#token-box").scrollIntoView({ behavior: "smooth", block: "nearest" });
  }
  $("#token-copy").addEventListener("click", async () => {
    const text = $("#token-value").textContent;
    try {
      await navigator.clipboard.writeText(text);
      $("#token-copy").textContent = t("copied");
    } catch (e) {
      // no clipboard permission (plain http): select the token so Ctrl+C copies it
      const range = document.createRange();
      range.selectNodeContents($("#token-value"));
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }
  });

  function row(u) {
    const me = u.username === EG.data.user;
    // nobody disables themselves: the button is simply not there
    const toggle = me ? null : el("button", { type: "button", class: "btn btn-small" + (u.disabled ? "" : " btn-quiet btn-danger"), "data-action": "toggle", text: u.disabled ? t("enable") : t("disable") });
    // one's own password changes on the settings page; one's own account is not deleted from here
    const reset = me ? null : el("button", { type: "button", class: "btn btn-small", "data-action": "password", text: t("resetPassword") });
    const remove = me ? null : el("button", { type: "button", class: "btn btn-small btn-quiet btn-danger", "data-action": "delete", text: t("deleteUser") });
    return el(
      "tr",
      { "data-user": u.username },
      el("th", { scope: "row" }, el("span", { class: "uname", text: u.username }), me ? el("span", { class: "you", text: t("you") }) : null, u.admin ? el("span", { class: "tag", text: t("admin") }) : null),
      el("td", {}, el("span", { class: "badge " + (u.disabled ? "badge-failed" : "badge-success"), text: u.disabled ? t("disabled") : t("active") })),
      el("td", { class: "actions" }, toggle, el("button", { type: "button", class: "btn btn-small", "data-action": "token", text: t("newToken") }), reset, remove)
    );
  }

  async function loadUsers() {
    const r = await EG.api("GET", "/ui/admin/users");
    if (!r.ok) return EG.toast(EG.explain(r), "error");
    users = r.data.users;
    tbody.replaceChildren(...users.map(row));
    const chosen = userSelect.value;
    userSelect.replaceChildren(userSelect.options[0], ...users.map((u) => el("option", { value: u.username, text: u.username })));
    userSelect.value = chosen;
  }

  tbody.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button[data-action]");
    if (!button) return;
    const name = button.closest("tr").dataset.user;
    const u = users.find((x) => x.username === name);
    const base = "/ui/admin/users/" + encodeURIComponent(name);
    if (button.dataset.action === "token") {
      const r = await EG.api("POST", base + "/token");
      return r.ok ? showSecret(t("tokenFor", { user: name }), r.data.token) : EG.toast(EG.explain(r), "error");
    }
    if (button.dataset.action === "password") {
      if (!window.confirm(t("confirmReset", { user: name }))) return;
      const r = await EG.api("POST", base + "/password");
      return r.ok ? showSecret(t("passwordFor", { user: name }), r.data.password) : EG.toast(EG.explain(r), "error");
    }
    if (button.dataset.action === "delete") {
      if (!window.confirm(t("confirmDeleteUser", { user: name }))) return;
      const r = await EG.api("POST", base + "/delete");
      if (!r.ok) return EG.toast(EG.explain(r), "error");
      EG.toast(t("userDeleted", { user: name }), "success");
      loadUsers();
      return loadJobs();
    }
    if (!u.disabled && !window.confirm(t("confirmDisable", { user: name }))) return;
    const r = await EG.api("POST", base + "/disabled", { disabled: !u.disabled });
    if (!r.ok) return EG.toast(EG.explain(r), "error");
    EG.toast(t("userChanged", { user: name }), "success");
    loadUsers();
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    EG.showError(errorBox, "");
    const body = { username: $("#new-username").value.trim(), password: $("#new-password").value, admin: $("#new-admin").checked };
    const r = await EG.api("POST", "/api/users", body);
    if (!r.ok) return EG.showError(errorBox, EG.explain(r));
    form.reset();
    EG.toast(t("userCreated", { user: r.data.username }), "success");
    showSecret(t("tokenFor", { user: r.data.username }), r.data.token);
    loadUsers();
  });

  /* everybody's jobs, with the user filter on top of the usual ones */
  const filters = $("#filters");
  const state = { user: "", status: "", kind: "", page: 1, limit: 20 };
  const list = new EG.JobList($("#job-list"), { showUser: true, onChanged: (action) => action === "delete" && loadJobs() });
  for (const [name, id] of [["user", "a-user"], ["status", "a-status"], ["kind", "a-kind"]]) {
    const select = document.getElementById(id);
    if (!select) continue;
    select.addEventListener("change", () => {
      state[name] = select.value;
      state.page = 1;
      loadJobs();
    });
  }
  filters.addEventListener("submit", (ev) => ev.preventDefault());

  async function loadJobs() {
    const q = new URLSearchParams({ page: state.page, limit: state.limit });
    for (const k of ["user", "status", "kind"]) if (state[k]) q.set(k, state[k]);
    const r = await EG.api("GET", "/api/jobs?" + q);
    if (!r.ok) return;
    list.render(r.data.jobs);
    $("#list-summary").textContent = r.data.total ? t("jobs", { n: r.data.total }) : t("noMatch");
    EG.pager("a-", state, r.data.total, (page) => {
      state.page = page;
      loadJobs();
    });
  }

  loadUsers();
  EG.every(10000, loadJobs);
})();
