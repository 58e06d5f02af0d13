/* examgen web UI — shared helpers: translations, the API client, toasts, notifications, live polling. */
(function () {
  "use strict";

  const EG = (window.EG = {});
  const FINAL = new Set(["success", "failed", "cancelled", "needs_review"]);
  EG.FINAL = FINAL;

  function readJson(id) {
    const el = document.getElementById(id);
    if (!el) return {};
    try {
      return JSON.parse(el.textContent || "{}");
    } catch (e) {
      return {};
    }
  }
  EG.i18n = readJson("i18n");
  EG.data = readJson("page-data");
  EG.lang = EG.data.lang || document.documentElement.lang || "zh-Hans-CN";

  /* ---- translations: the page carries its strings as JSON data (CSP allows no inline code) ---- */
  EG.fill = function (text, params) {
    return String(text).replace(/\{(\w+)\}/g, (m, k) => (params && k in params ? String(params[k]) : m));
  };
  EG.t = function (key, params) {
    const texts = EG.i18n.text || {};
    let s = texts[key];
    if (params && params.n === 1 && texts[key + "_one"]) s = texts[key + "_one"];
    return EG.fill(s == null ? key : s, params);
  };
  // Chinese sentences follow each other without a space; English ones with one
  EG.sentences = (parts) => parts.filter(Boolean).join(/^zh/.test(EG.lang) ? "" : " ");
  EG.statusLabel = (s) => (EG.i18n.status || {})[s] || s;
  EG.kindLabel = (k) => (EG.i18n.kind || {})[k] || k;
  EG.phaseLabel = (p) => (p ? (EG.i18n.phases || {})[p] || p : "");
  EG.errorLabel = (code) => (EG.i18n.errors || {})[code] || "";

  /* ---- DOM ---- */
  EG.el = function (tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v == null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("data-") || k.startsWith("aria-") || k === "role" || k === "for") node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  };
  EG.$ = (sel, root) => (root || document).querySelector(sel);
  EG.showError = function (box, message) {
    if (!box) return;
    box.textContent = message || "";
    box.hidden = !message;
    if (message) box.scrollIntoView({ block: "nearest", behavior: "smooth" });
  };

  /* ---- numbers, durations and times ---- */
  const fmtNumber = new Intl.NumberFormat(EG.lang);
  EG.num = (n) => (n == null ? "–" : fmtNumber.format(n));
  EG.duration = function (seconds) {
    if (seconds == null || isNaN(seconds)) return "–";
    const s = Math.max(0, Math.round(seconds));
    if (s < 90) return EG.t("seconds", { n: s });
    if (s < 5400) return EG.t("minutes", { n: Math.round(s / 60) });
    return EG.t("hours", { n: Math.round((s / 3600) * 10) / 10 });
  };
  EG.ago = function (iso) {
    if (!iso) return "";
    const s = (Date.now() - Date.parse(iso)) / 1000;
    if (s < 45) return EG.t("justNow");
    return EG.t("ago", { time: EG.duration(s) });
  };
  const fmtTime = new Intl.DateTimeFormat(EG.lang, { hour: "2-digit", minute: "2-digit" });
  const fmtDateTime = new Intl.DateTimeFormat(EG.lang, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  EG.time = function (iso) {
    if (!iso) return EG.t("never");
    const d = new Date(iso);
    return d.toDateString() === new Date().toDateString() ? fmtTime.format(d) : fmtDateTime.format(d);
  };
  EG.fullTime = (iso) => (iso ? new Date(iso).toLocaleString(EG.lang) : "");

  /* ---- the JSON API, with the session's CSRF token on every write ---- */
  const csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  EG.api = async function (method, url, body, headers) {
    const init = { method, headers: { Accept: "application/json", ...(headers || {}) }, credentials: "same-origin" };
    if (method !== "GET") init.headers["X-CSRF-Token"] = csrf;
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let resp;
    try {
      resp = await fetch(url, init);
    } catch (e) {
      return { ok: false, status: 0, data: null, error: { code: "network", message: EG.t("network") } };
    }
    let data = null;
    if ((resp.headers.get("Content-Type") || "").includes("json")) {
      try {
        data = await resp.json();
      } catch (e) {
        data = null;
      }
    }
    const result = { ok: resp.ok, status: resp.status, data, retryAfter: Number(resp.headers.get("Retry-After")) || null };
    if (!resp.ok) {
      result.error = (data && data.error) || { code: "http_" + resp.status, message: resp.statusText };
      if (resp.status === 401) EG.sessionEnded();
    }
    return result;
  };
  EG.sessionEnded = function () {
    // the session expired or the user was disabled: back to the login form, then back here
    const next = location.pathname + location.search;
    setTimeout(() => location.assign("/login?next=" + encodeURIComponent(next)), 1200);
  };

  /* A failed answer as one plain sentence in the user's language (limits say how long to wait). */
  EG.explain = function (result) {
    const err = result.error || {};
    const code = err.code || "";
    if (code === "network") return EG.t("network");
    if ([429, 503].includes(result.status)) {
      const parts = [EG.errorLabel(code) || err.message];
      if (err.can_submit != null) parts.push(err.can_submit > 0 ? EG.t("canSubmit", { n: err.can_submit }) : EG.t("canSubmitNone"));
      if (result.retryAfter) parts.push(EG.t("waitSeconds", { time: EG.duration(result.retryAfter) }));
      return EG.sentences(parts);
    }
    const known = EG.errorLabel(code);
    if (code === "validation_error" && EG.explainFields) {
      const fields = EG.explainFields(err); // the field and the fix, in the page's language
      if (fields) return fields;
    }
    if (known && err.message && code === "validation_error") return EG.sentences([known, err.message]);
    return known || EG.t("unknownError", { message: err.message || result.status });
  };

  /* ---- toasts (always) and browser notifications (when the user allowed them) ---- */
  EG.toast = function (message, kind, ms) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const item = EG.el("div", { class: "toast toast-" + (kind || "info") }, EG.el("p", { text: message }));
    const close = EG.el("button", { type: "button", class: "toast-close", "aria-label": "×", text: "×" });
    close.addEventListener("click", () => item.remove());
    item.append(close);
    box.append(item);
    setTimeout(() => item.remove(), ms || 7000);
  };
  EG.askNotify = function () {
    if ("Notification" in window && window.Notification.permission === "default") {
      try {
        window.Notification.requestPermission();
      } catch (e) {
        /* old browsers want a callback; not worth supporting */
      }
    }
  };
  EG.notify = function (title, body) {
    if ("Notification" in window && window.Notification.permission === "granted") {
      try {
        new window.Notification(title, { body, tag: "examgen-batch" });
      } catch (e) {
        /* some mobile browsers only notify from a service worker: the toast is enough there */
      }
    }
  };

  /* ---- timers that pause while the tab is hidden, and never overlap ---- */
  const timers = [];
  EG.every = function (ms, fn, immediate) {
    const timer = { ms, fn, handle: null, busy: false };
    timer.run = async function () {
      clearTimeout(timer.handle);
      if (document.hidden || timer.busy) return;
      timer.busy = true;
      try {
        await fn();
      } catch (e) {
        console.error(e);
      } finally {
        timer.busy = false;
        if (!document.hidden) timer.handle = setTimeout(timer.run, timer.ms);
      }
    };
    timers.push(timer);
    if (immediate === false) timer.handle = setTimeout(timer.run, ms);
    else timer.run();
    return timer;
  };
  document.addEventListener("visibilitychange", () => {
    for (const timer of timers) {
      clearTimeout(timer.handle);
      if (!document.hidden) timer.run(); // catch up at once when the tab comes back
    }
  });

  /* ---- live job statuses: one request per tick for every job any part of the page follows ---- */
  const sources = [];
  EG.follow = function (ids, onJobs) {
    sources.push({ ids, onJobs });
  };
  EG.pollNow = () => statusTimer && statusTimer.run();
  let statusTimer = null;
  async function pollStatuses() {
    const wanted = new Set(EG.batches.pendingIds());
    for (const s of sources) for (const id of s.ids()) wanted.add(id);
    if (!wanted.size) return;
    const ids = Array.from(wanted).slice(0, 200);
    const r = await EG.api("GET", "/api/jobs/status?ids=" + ids.join(","));
    if (!r.ok) return;
    const jobs = r.data.jobs || [];
    for (const s of sources) s.onJobs(jobs);
    EG.batches.update(jobs, ids);
  }

  /* ---- batches: a submission whose end is announced, on whichever page of the app is open ---- */
  const key = "examgen.batches." + (EG.data.user || "");
  function load() {
    try {
      return JSON.parse(localStorage.getItem(key) || "[]");
    } catch (e) {
      return [];
    }
  }
  function save(list) {
    try {
      localStorage.setItem(key, JSON.stringify(list));
    } catch (e) {
      /* private mode: the in-page toast still works while this page is open */
    }
  }
  EG.batches = {
    add(ids) {
      const list = load().filter((b) => Date.now() - b.at < 86400000);
      list.push({ at: Date.now(), ids, done: {} });
      save(list);
      EG.pollNow();
    },
    pendingIds() {
      return load().flatMap((b) => b.ids.filter((id) => !(id in b.done)));
    },
    update(jobs, asked) {
      const byId = new Map(jobs.map((j) => [j.job_id, j]));
      const list = load();
      if (!list.length) return;
      const keep = [];
      for (const b of list) {
        for (const id of b.ids) {
          const j = byId.get(id);
          if (j && FINAL.has(j.status)) b.done[id] = j.status;
          else if (!j && asked.includes(id)) b.done[id] = "gone"; // deleted meanwhile
        }
        if (Object.keys(b.done).length < b.ids.length) keep.push(b);
        else announce(b);
      }
      save(keep);
    },
  };
  function announce(batch) {
    const n = batch.ids.length;
    const ok = Object.values(batch.done).filter((s) => s === "success").length;
    const text = ok === n ? EG.t("batchAllOk", { n }) : EG.t("batchDone", { n, ok, bad: n - ok });
    EG.toast(text, ok === n ? "success" : "warn", 12000);
    EG.notify(EG.t("batchTitle"), text);
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (EG.data.user) statusTimer = EG.every(1500, pollStatuses);
  });
})();
