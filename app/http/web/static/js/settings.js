/* examgen web UI — the settings page: the user's API tokens (list, create, revoke) and password. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $, el } = EG;
  const body = $("#tokens tbody");

  function when(iso) {
    return iso ? el("time", { datetime: iso, title: EG.fullTime(iso), text: EG.ago(iso) }) : t("never");
  }

  function row(tok) {
    const expires = tok.expires_at ? el("time", { datetime: tok.expires_at, text: EG.fullTime(tok.expires_at) }) : t("never");
    const revoke = el("button", { type: "button", class: "btn btn-small btn-quiet btn-danger", "data-action": "revoke", text: t("revoke") });
    return el(
      "tr",
      { "data-id": String(tok.id) },
      el("td", { text: tok.name || t("untitled") }),
      el("td", {}, when(tok.created_at)),
      el("td", {}, when(tok.last_used_at)),
      el("td", {}, expires),
      el("td", { class: "actions" }, revoke)
    );
  }

  let tokens = [];
  async function load() {
    const r = await EG.api("GET", "/api/tokens");
    if (!r.ok) return;
    tokens = r.data.tokens;
    body.replaceChildren(...(tokens.length ? tokens.map(row) : [el("tr", {}, el("td", { colSpan: 5, class: "empty", text: t("noTokens") }))]));
    body.setAttribute("aria-busy", "false");
  }

  body.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button[data-action=revoke]");
    if (!button) return;
    const id = button.closest("tr").dataset.id;
    const tok = tokens.find((x) => String(x.id) === id);
    if (!confirm(t("confirmRevoke", { name: tok ? tok.name : id }))) return;
    const r = await EG.api("DELETE", "/api/tokens/" + id);
    if (!r.ok) return EG.toast(EG.explain(r), "error");
    EG.toast(t("tokenRevoked", { name: tok ? tok.name : id }), "success");
    load();
  });

  function showError(box, message) {
    box.textContent = message || "";
    box.hidden = !message;
  }

  $("#token-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const name = $("#token-name").value.trim();
    if (!name) return showError($("#token-error"), t("needName"));
    const days = $("#token-days").value;
    const r = await EG.api("POST", "/api/tokens", { name, expires_in_days: days ? Number(days) : null });
    if (!r.ok) return showError($("#token-error"), EG.explain(r));
    showError($("#token-error"), "");
    $("#token-name").value = "";
    $("#token-label").textContent = t("tokenShownOnce", { name });
    $("#token-value").textContent = r.data.token;
    $("#token-copy").textContent = t("copy");
    $("#token-box").hidden = false;
    load();
  });

  $("#token-copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("#token-value").textContent);
      $("#token-copy").textContent = t("copied");
    } catch (e) {
      const range = document.createRange(); // no clipboard permission (plain http): select it for Ctrl+C
      range.selectNodeContents($("#token-value"));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
    }
  });

  $("#password-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const box = $("#pw-error");
    const current = $("#pw-current").value;
    const next = $("#pw-new").value;
    if (next.length < 8) return showError(box, t("passwordShort"));
    if (next !== $("#pw-repeat").value) return showError(box, t("passwordsDiffer"));
    const r = await EG.api("POST", "/api/me/password", { current_password: current, new_password: next });
    if (!r.ok) {
      const wrong = r.error && r.error.code === "wrong_password";
      return showError(box, wrong ? t("passwordWrong") : EG.explain(r));
    }
    showError(box, "");
    ev.target.reset();
    EG.toast(t("passwordChanged"), "success");
  });

  load();
})();
