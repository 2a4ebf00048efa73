import { esc } from './svg-plot.js';

/** One section of an HTML report page: a heading, trusted HTML and an optional note. */
export interface PageSection {
  heading: string;
  /** Trusted HTML (SVG plots, tables built by this toolkit). */
  html: string;
  note?: string;
}

/** A self-contained HTML page: inline CSS and SVG, nothing fetched from the network. */
export function htmlPage(title: string, intro: string, sections: PageSection[]): string {
  const body = sections
    .map((s) => `<section><h2>${esc(s.heading)}</h2>${s.note ? `<p class="note">${esc(s.note)}</p>` : ''}${s.html}</section>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.note{color:#555;font-size:13px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}
</style></head><body>
<h1>${esc(title)}</h1><p>${esc(intro)}</p>
${body}
</body></html>
`;
}

/** A simple HTML table from rows of cells (first row = header). */
export function htmlTable(rows: Array<Array<string | number>>): string {
  const [head, ...rest] = rows;
  const cell = (v: string | number) => esc(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v);
  return `<table><tr>${(head ?? []).map((h) => `<th>${cell(h)}</th>`).join('')}</tr>${rest.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}
