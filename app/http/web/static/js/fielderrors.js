/* examgen web UI — a 400's wrong fields as sentences in the user's language, never the validator's English. */
(function () {
  "use strict";
  const EG = window.EG;

  // "articles.3.title" -> key "articles.title" and n = 4, the article's number as the page shows it
  function split(path) {
    const segs = String(path || "").split(".");
    const index = segs.find((s) => /^\d+$/.test(s));
    return { key: segs.filter((s) => !/^\d+$/.test(s)).join("."), head: segs[0], n: index == null ? "" : Number(index) + 1 };
  }

  function fieldName(path) {
    const names = EG.i18n.fields || {};
    const { key, head, n } = split(path);
    const name = names[key] || (n !== "" && names[head + ".*"]) || names[head] || key;
    return { name: EG.fill(name, { n }), key, n };
  }

  // pydantic's many "<kind>_type" and "<kind>_parsing" errors all mean the same thing to a person; a length
  // limit on a validated string is a generic "too_short" of field_type "Value": it is about characters
  function family(type, ctx) {
    if (/_(type|parsing)$/.test(type || "")) return "wrong_type";
    if ((type === "too_short" || type === "too_long") && ctx.field_type === "Value") return "string_" + type;
    return type || "invalid";
  }

  /* One wrong field ({field, type, ctx}) as one sentence. */
  EG.problemText = function (p) {
    const texts = EG.i18n.problems || {};
    const ctx = p.ctx || {};
    const { name, key, n } = fieldName(p.field);
    let type = family(p.type, ctx);
    if (type === "string_too_short" && (ctx.min_length || 1) <= 1) type = "blank"; // "at least 1 character": empty
    const s = texts[key + ":" + type] || texts[type] || texts.invalid || "{field}";
    const fieldText = /^zh/.test(EG.lang) ? name : name.charAt(0).toUpperCase() + name.slice(1);
    return EG.fill(s, {
      field: fieldText,
      n,
      min: ctx.min_length ?? ctx.ge ?? ctx.gt ?? "",
      max: ctx.max_length ?? ctx.le ?? ctx.lt ?? "",
      actual: ctx.actual_length ?? "",
    });
  };

  /* The wrong fields of a validation error (at most three sentences), or "" when it names none. */
  EG.explainFields = function (err) {
    const list = err.problems || Object.keys(err.fields || {}).map((field) => ({ field, type: "invalid" }));
    if (!list.length) return "";
    const shown = [...new Set(list.slice(0, 3).map(EG.problemText))];
    if (list.length > 3) shown.push(EG.fill((EG.i18n.problems || {}).more || "", { n: list.length - 3 }));
    return EG.sentences(shown);
  };
})();
