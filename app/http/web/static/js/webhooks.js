/* examgen web UI — the settings page's webhooks: list, add (field errors in the page's language),
   send a test message and follow its delivery, latest messages per webhook, delete. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $, el } = EG;
  const listEl = $("#webhooks");
  const form = $("#hook-form");
  const general = $("#hook-error");
  const FIELDS = ["name", "kind", "url", "secret", "events"];
  const BADGE = { pending: "pending", delivered: "success", failed: "failed" };
  const SHOWN = 5; // latest messages shown per webhook
  const FOLLOW_MS = 1500; // how often a test message still sending is asked about
  const FOLLOW_TIMES = 120; // about three minutes: a failing receiver is retried with backoff
  const label = (group, key) => (EG.i18n[group] || {})[key] || key;
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  let hooks = [];

  function deliveryRow(d) {
    return el(
      "tr",
      { "data-id": d.delivery_id, "data-status": d.status },
      el("td", { text: label("hookEvents", d.event) }),
      el("td", {}, el("span", { class: "badge badge-" + (BADGE[d.status] || "cancelled"), text: label("deliveryStatus", d.status) })),
      el("td", { class: "num", text: EG.num(d.attempts) }),
      el("td", { class: "delivery-error", text: d.last_error || "–" }),
      el("td", {}, el("time", { dateTime: d.created_at, title: EG.fullTime(d.created_at), text: EG.ago(d.created_at) }))
    );
  }

  function deliveriesTable(hook) {
    const head = ["deliveryEvent", "deliveryStatus", "deliveryAttempts", "deliveryError", "deliveryTime"];
    return el(
      "div",
      { class: "table-wrap" },
      el(
        "table",
        { class: "table deliveries" },
        el("caption", { class: "visually-hidden", text: t("deliveriesOf", { name: hook.name }) }),
        el("thead", {}, el("tr", {}, head.map((key) => el("th", { scope: "col", text: t(key) })))),
        el("tbody", { "aria-busy": "true" })
      )
    );
  }

  function card(hook) {
    return el(
      "li",
      { class: "account hook", "data-id": String(hook.id) },
      el(
        "div",
        { class: "acc-main" },
        el("h3", { class: "hook-name", text: hook.name }),
        el("p", { class: "acc-state" }, el("span", { class: "hook-kind", text: label("hookKinds", hook.kind) }), "·", el("code", { class: "hook-url", text: hook.url })),
        el("p", { class: "muted small hook-events", text: hook.events.map((e) => label("hookEvents", e)).join(" · ") }),
        deliveriesTable(hook)
      ),
      el(
        "div",
        { class: "job-actions" },
        el("button", { type: "button", class: "btn btn-small", "data-action": "test", text: t("sendTest") }),
        el("button", { type: "button", class: "btn btn-small btn-quiet btn-danger", "data-action": "delete", text: t("delete") })
      )
    );
  }

  /* The webhook's latest messages, drawn in its table; null when it is gone (or the server is). */
  async function loadDeliveries(id) {
    const r = await EG.api("GET", "/api/webhooks/" + id + "/deliveries");
    const body = listEl.querySelector('li[data-id="' + id + '"] tbody');
    if (!r.ok || !body) return null;
    const rows = r.data.deliveries.slice(0, SHOWN);
    body.replaceChildren(...(rows.length ? rows.map(deliveryRow) : [el("tr", {}, el("td", { colSpan: 5, class: "muted", text: t("noDeliveries") }))]));
    body.setAttribute("aria-busy", "false");
    return r.data.deliveries;
  }

  async function load() {
    const r = await EG.api("GET", "/api/webhooks");
    if (!r.ok) return;
    hooks = r.data.webhooks;
    listEl.replaceChildren(...(hooks.length ? hooks.map(card) : [el("li", { class: "muted", text: t("noHooks") })]));
    listEl.setAttribute("aria-busy", "false");
    await Promise.all(hooks.map((h) => loadDeliveries(h.id)));
  }

  /* Ask again until the test message is delivered or given up (only while the tab is shown). */
  async function follow(id, deliveryId) {
    for (let i = 0; i < FOLLOW_TIMES; i++) {
      await sleep(FOLLOW_MS);
      if (document.hidden) continue;
      const list = await loadDeliveries(id);
      if (list === null) return;
      const sent = list.find((d) => d.delivery_id === deliveryId);
      if (!sent || sent.status !== "pending") return;
    }
  }

  listEl.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button[data-action]");
    if (!button) return;
    const id = button.closest("li[data-id]").dataset.id;
    const hook = hooks.find((h) => String(h.id) === id);
    const name = hook ? hook.name : id;
    if (button.dataset.action === "delete") {
      if (!confirm(t("confirmDeleteHook", { name }))) return;
      const r = await EG.api("DELETE", "/api/webhooks/" + id);
      if (!r.ok) return EG.toast(EG.explain(r), "error");
      EG.toast(t("hookDeleted", { name }), "success");
      return load();
    }
    button.disabled = true;
    const r = await EG.api("POST", "/api/webhooks/" + id + "/test", {});
    button.disabled = false;
    if (!r.ok) return EG.toast(EG.explain(r), "error");
    EG.toast(t("testQueued", { name }), "info");
    await loadDeliveries(id);
    follow(id, r.data.delivery_id);
  });

  /* A field's own message under it; returns whether there was any. */
  function showFieldErrors(errors) {
    let first = null;
    for (const field of FIELDS) {
      const message = errors[field] || "";
      const box = $("#hook-" + field + "-error");
      box.textContent = message;
      box.hidden = !message;
      const input = field === "events" ? form.querySelector("input[name=events]") : $("#hook-" + field);
      if (field !== "events" && message) input.setAttribute("aria-invalid", "true");
      else if (field !== "events") input.removeAttribute("aria-invalid");
      if (message && !first) first = input;
    }
    if (first) first.focus();
    return Boolean(first);
  }

  /* The server names the field (e.g. "url", "events.0") in English: say it in the page's language. */
  function fromServer(fields) {
    const errors = {};
    for (const [key, text] of Object.entries(fields || {})) {
      const field = key.split(".")[0];
      if (!FIELDS.includes(field) || errors[field]) continue;
      if (field === "url") errors.url = /^private/.test(text) ? t("hookPrivateUrl") : t("hookNeedUrl");
      else errors[field] = t({ name: "hookNeedName", kind: "hookBadKind", secret: "hookBadSecret", events: "hookNeedEvent" }[field]);
    }
    return errors;
  }

  form.addEventListener("input", (ev) => {
    const field = ev.target.name;
    if (!FIELDS.includes(field)) return;
    $("#hook-" + field + "-error").hidden = true;
    if (field !== "events") ev.target.removeAttribute("aria-invalid");
  });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = {
      name: $("#hook-name").value.trim(),
      kind: $("#hook-kind").value,
      url: $("#hook-url").value.trim(),
      secret: $("#hook-secret").value || null,
      events: Array.from(form.querySelectorAll("input[name=events]:checked"), (c) => c.value),
    };
    const errors = {};
    if (!body.name) errors.name = t("hookNeedName");
    if (!/^https?:\/\/\S/i.test(body.url)) errors.url = t("hookNeedUrl");
    if (!body.events.length) errors.events = t("hookNeedEvent");
    EG.showError(general, "");
    if (showFieldErrors(errors)) return;
    const submit = $("#hook-submit");
    submit.disabled = true;
    const r = await EG.api("POST", "/api/webhooks", body);
    submit.disabled = false;
    if (!r.ok) {
      if (r.status === 400 && showFieldErrors(fromServer(r.error.fields))) return;
      return EG.showError(general, r.status === 409 ? t("hookLimit") : EG.explain(r));
    }
    form.reset();
    EG.toast(t("hookAdded", { name: body.name }), "success");
    load();
  });

  load();
})();
