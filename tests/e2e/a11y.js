/* Run by UI.a11y_problems(): unlabelled fields and text under WCAG AA contrast, as a list of strings. */
const problems = [];
for (const f of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
  if (!f.labels.length && !f.getAttribute('aria-label')) problems.push('no label: ' + (f.id || f.name || f.outerHTML));
}
const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
const lum = ([r, g, b]) => [r, g, b].map(channel).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
function background(el) {
  for (let e = el; e; e = e.parentElement) {
    const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
  }
  return [255, 255, 255];
}
for (const el of document.querySelectorAll('body *')) {
  const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
  if (!own || !el.getClientRects().length || el.closest('[disabled], .toast, svg')) continue;
  const st = getComputedStyle(el);
  if (st.visibility === 'hidden' || Number(st.opacity) < 0.9) continue;
  const fg = lum(rgb(st.color).slice(0, 3)), bg = lum(background(el));
  const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
  const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < need) problems.push(ratio.toFixed(2) + ': ' + el.textContent.trim().slice(0, 40));
}
return problems;
