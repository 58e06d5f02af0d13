/* examgen web UI — platform accounts: add by pasting exported cookies, check the login, remove. */
(function () {
  "use strict";
  const EG = window.EG;
  const { t, $, el } = EG;
  const listEl = $("#account-list");
  const form = $("#account-form");
  const errorBox = $("#form-error");
  const platforms = new Map((EG.data.platforms || []).map((p) => [p.name, p]));
  const checks = new Map(); // account id -> {job, message, kind}

  EG.follow(
    () => Array.from(checks.values()).filter((c) => c.job && !EG.FINAL.has(c.job.status)).map((c) => c.job.job_id),
    (jobs) => {
      let finished = false;
      for (const job of jobs) {
        for (const [id, c] of checks) {
          if (!c.job || c.job.job_id !== job.job_id) continue;
          c.job = job;
          if (EG.FINAL.has(job.status)) {
            finished = true;
            c.message = job.status === "success" ? "" : EG.errorLabel(job.error_code) || job.error || EG.statusLabel(job.status);
            if (c.message) EG.toast(c.message, "error");
          }
          checks.set(id, c);
        }
      }
      if (finished) load().then(() => announceOk(jobs));
    }
  );

  function announceOk(jobs) {
    for (const job of jobs) {
      if (job.status !== "success") continue;
      const a = accounts.find((x) => checks.has(x.id) && checks.get(x.id).job.job_id === job.job_id);
      if (a && a.identity) EG.toast(t("loggedInAs", { identity: a.identity }), "success");
    }
  }

  function stateLine(a) {
    const check = checks.get(a.id);
    if (check && check.job && !EG.FINAL.has(check.job.status)) return el("p", { class: "acc-state pending" }, el("span", { class: "spinner", "aria-hidden": "true" }), t("checking"));
    const parts = [];
    if (a.login_ok === true) parts.push(el("span", { class: "badge badge-success", text: t("loggedInAs", { identity: a.identity || "?" }) }));
    else if (a.login_ok === false) parts.push(el("span", { class: "badge badge-failed", text: t("notLoggedIn") }));
    else parts.push(el("span", { class: "badge badge-cancelled", text: t("notChecked") }));
    if (a.checked_at) parts.push(" " + t("checkedAt", { time: EG.ago(a.checked_at) }));
    const line = el("p", { class: "acc-state" }, parts);
    if (check && check.message) line.append(el("span", { class: "acc-error", text: " " + check.message }));
    return line;
  }

  /* The account's own pacing: jobs at once and seconds between two publishes (empty: the platform's). */
  function pacingBox(a) {
    const pacing = a.pacing || {};
    const conc = pacing.concurrency ? t("pacingAtOnce", { n: pacing.concurrency }) : t("pacingNoLimit");
    const gap = pacing.min_interval ? t("pacingInterval", { time: EG.duration(pacing.min_interval) }) : t("pacingNoInterval");
    const field = (key, label, value, max) =>
      el("div", { class: "field" }, el("label", { for: "pace-" + key + "-" + a.id, text: label }),
        el("input", { type: "number", id: "pace-" + key + "-" + a.id, "data-pace": key, min: "0", max, step: key === "concurrency" ? "1" : "any", value: value == null ? "" : String(value), placeholder: t("pacingDefault") }));
    return el("details", { class: "acc-pacing" },
      el("summary", { text: t("pacingSummary", { conc, gap }) }),
      el("div", { class: "grid-3" },
        field("concurrency", t("pacingConcurrency"), a.concurrency, "100"),
        field("min_interval", t("pacingMinInterval"), a.min_interval, "86400"),
        el("div", { class: "field" }, el("button", { type: "button", class: "btn btn-small", "data-action": "pacing", text: t("save") }))));
  }

  function card(a) {
    const p = platforms.get(a.platform);
    const extra = [];
    if (a.last_published_at) extra.push(t("lastPublished", { time: EG.ago(a.last_published_at) }));
    if (a.cooldown_until && Date.parse(a.cooldown_until) > Date.now()) extra.push(t("pausedUntil", { time: EG.time(a.cooldown_until) }) + (a.cooldown_reason ? " (" + a.cooldown_reason + ")" : ""));
    const check = el("button", { type: "button", class: "btn btn-small", "data-action": "check", text: t("check") });
    const inFlight = checks.get(a.id);
    check.disabled = !!(inFlight && inFlight.job && !EG.FINAL.has(inFlight.job.status));
    return el(
      "li",
      { class: "account card", "data-id": String(a.id) },
      el("div", { class: "acc-main" }, el("h3", {}, el("span", { class: "acc-platform", text: p ? p.label : a.platform }), " / ", el("span", { class: "acc-name", text: a.name })), stateLine(a), extra.length ? el("p", { class: "muted small", text: extra.join(" · ") }) : null, pacingBox(a)),
      el("div", { class: "job-actions" }, check, el("button", { type: "button", class: "btn btn-small btn-quiet btn-danger", "data-action": "remove", text: t("remove") }))
    );
  }

  let accounts = [];
  async function load() {
    const r = await EG.api("GET", "/api/accounts");
    if (!r.ok) return;
    accounts = r.data.accounts;
    const focused = document.activeElement && document.activeElement.closest("li[data-id]");
    const refocus = focused ? [focused.dataset.id, document.activeElement.dataset.action] : null;
    listEl.replaceChildren(...(accounts.length ? accounts.map(card) : [el("li", { class: "empty card", text: t("noAccounts") })]));
    listEl.setAttribute("aria-busy", "false");
    if (refocus) {
      const again = listEl.querySelector('li[data-id="' + refocus[0] + '"] [data-action="' + refocus[1] + '"]');
      if (again) again.focus();
    }
  }

  listEl.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button[data-action]");
    if (!button) return;
    const id = Number(button.closest("li").dataset.id);
    const a = accounts.find((x) => x.id === id);
    if (!a) return;
    if (button.dataset.action === "pacing") {
      const body = {};
      for (const input of button.closest("li").querySelectorAll("input[data-pace]")) {
        body[input.dataset.pace] = input.value.trim() === "" ? null : Number(input.value);
      }
      const r = await EG.api("PATCH", "/api/accounts/" + id, body);
      if (!r.ok) return EG.toast(EG.explain(r), "error");
      EG.toast(t("pacingSaved", { name: a.name }), "success");
      return load();
    }
    if (button.dataset.action === "remove") {
      if (!window.confirm(t("confirmRemoveAccount", { name: a.platform + " / " + a.name }))) return;
      const r = await EG.api("DELETE", "/api/accounts/" + id);
      if (!r.ok) return EG.toast(EG.explain(r), "error");
      checks.delete(id);
      EG.toast(t("accountRemoved", { name: a.name }), "success");
      return load();
    }
    button.disabled = true;
    const r = await EG.api("POST", "/api/accounts/" + id + "/check");
    if (!r.ok) {
      button.disabled = false;
      return EG.toast(EG.explain(r), "error");
    }
    checks.set(id, { job: r.data.job, message: "" });
    load();
    EG.pollNow();
  });

  function cookiesFrom(text) {
    let parsed;
    if (!text.trim()) throw new Error(t("cookiesEmpty"));
    // not JSON: a Cookie header ("a=1; b=2"), which the server splits and validates, naming the field if wrong
    if (!/^\s*[[{]/.test(text)) return text.trim();
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      // the browser's own message ("Unexpected end of JSON input") is English whatever the page's language
      throw new Error(t("cookiesNotJson"));
    }
    // EditThisCookie and Cookie-Editor export a list; some tools wrap it in {"cookies": [...]}
    if (parsed && !Array.isArray(parsed) && Array.isArray(parsed.cookies)) parsed = parsed.cookies;
    if (parsed && !Array.isArray(parsed) && typeof parsed === "object" && "name" in parsed) parsed = [parsed];
    if (!Array.isArray(parsed) || !parsed.length || !parsed.every((c) => c && typeof c === "object" && "name" in c && "value" in c)) throw new Error(t("notList"));
    return parsed;
  }

  const platformSelect = $("#acc-platform");
  function showSite() {
    const p = platforms.get(platformSelect.value);
    const url = p && /^https?:\/\//i.test(p.cookie_url || "") ? p.cookie_url : "";
    const link = url && EG.el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: url });
    $("#cookie-site").replaceChildren(...(link ? ["(", link, ")"] : []));
  }
  platformSelect.addEventListener("change", showSite);
  showSite();

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    EG.showError(errorBox, "");
    let cookies;
    try {
      cookies = cookiesFrom($("#acc-cookies").value);
    } catch (e) {
      EG.showError(errorBox, e.message);
      $("#acc-cookies").focus();
      return;
    }
    const name = $("#acc-name").value.trim() || "main";
    const r = await EG.api("POST", "/api/accounts", { platform: platformSelect.value, name, cookies });
    if (!r.ok) return EG.showError(errorBox, EG.explain(r));
    $("#acc-cookies").value = "";
    EG.toast(t("accountSaved", { name }), "success");
    load();
  });

  // the periodic refresh waits while a pacing form is open, so typed values are not lost
  EG.every(15000, () => (listEl.querySelector("details.acc-pacing[open]") ? null : load()));
})();
