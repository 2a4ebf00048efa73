import { esc } from './svg-plot.js';
import { PLOT_DATA_CLASS, PLOT_INIT_SCRIPT, uplotAssets } from './interactive-plot.js';
import type { Verdict } from './verdict.js';

/** One section of an HTML report page: a heading, trusted HTML and an optional note. */
export interface PageSection {
  heading: string;
  /** Trusted HTML (SVG plots, tables built by this toolkit). */
  html: string;
  note?: string;
}

/** What a page says before anything else: its verdicts, whether it ran with quick settings, and the command. */
export interface PageHeader {
  /** The answer first: one line per comparison or result. */
  verdicts?: Verdict[];
  /** Quick settings (small data, short runs): the page carries a QUICK banner. */
  quick?: boolean;
  /** The full command line that produced the page, shown in a copyable block. */
  command?: string;
}

const STYLE = `
body{font-family:system-ui,sans-serif;max-width:980px;margin:24px auto;padding:0 16px;color:#222}
h1{font-size:22px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd;padding-bottom:4px}
.note{color:#555;font-size:13px}table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f6f6f6}td:first-child,th:first-child{text-align:left}
.verdict{padding:8px 12px;border-left:6px solid #888;background:#f4f4f4;font-weight:600;margin:8px 0}
.verdict-pass{border-color:#2ca02c;background:#eef8ee}.verdict-fail{border-color:#d62728;background:#fdeeee}
.quick{padding:8px 12px;background:#fff3cd;border:2px solid #e0a800;font-weight:700;margin:8px 0}
.command{display:flex;gap:8px;align-items:flex-start;margin:8px 0}
.command pre{flex:1;margin:0;padding:6px 8px;background:#f6f6f6;border:1px solid #ddd;white-space:pre-wrap;word-break:break-all;font-size:12px}
figure.nla-plot{margin:8px 0}.legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px;margin:2px 0 0 64px}
.legend span{white-space:nowrap}.legend svg{vertical-align:middle;margin-right:4px}
`;

/** Copies the command block's text (a button next to it); selecting the text by hand works too. */
const COPY_SCRIPT = `document.querySelectorAll('.command button').forEach(function(b){b.addEventListener('click',function(){
var t=b.parentElement.querySelector('pre').textContent;if(navigator.clipboard){navigator.clipboard.writeText(t).then(function(){b.textContent='copied';},function(){});}});});`;

/** The header's HTML: verdict lines, QUICK banner, command block (each only when given). */
export function pageHeader(h: PageHeader): string {
  const out: string[] = [];
  for (const v of h.verdicts ?? []) out.push(`<p class="verdict verdict-${v.status}" data-status="${v.status}">${esc(v.text)}</p>`);
  if (h.quick) out.push(`<p class="quick" id="quick-banner">QUICK settings: small data and short runs, for a fast check. These numbers are not the full result; run without --quick for it.</p>`);
  if (h.command) out.push(`<div class="command"><pre id="command">${esc(h.command)}</pre><button type="button">copy</button></div>`);
  return out.join('\n');
}

/**
 * A self-contained HTML page: inline CSS, SVG plots and, when the page has line plots, uPlot's script and
 * style inlined (zoom and hover), nothing fetched from the network.
 */
export function htmlPage(title: string, intro: string, sections: PageSection[], header: PageHeader = {}): string {
  const body = sections
    .map((s) => `<section><h2>${esc(s.heading)}</h2>${s.note ? `<p class="note">${esc(s.note)}</p>` : ''}${s.html}</section>`)
    .join('\n');
  const interactive = body.includes(PLOT_DATA_CLASS);
  const u = interactive ? uplotAssets() : null;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>${STYLE}</style>${u ? `\n<style>${u.css}</style>` : ''}</head><body>
<h1>${esc(title)}</h1>
${pageHeader(header)}
<p>${esc(intro)}</p>
${body}
${header.command ? `<script>${COPY_SCRIPT}</script>` : ''}${u ? `\n<script>${u.js}</script>\n<script>${PLOT_INIT_SCRIPT}</script>` : ''}
</body></html>
`;
}

/** A simple HTML table from rows of cells (first row = header). */
export function htmlTable(rows: Array<Array<string | number>>): string {
  const [head, ...rest] = rows;
  const cell = (v: string | number) => esc(typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v);
  return `<table><tr>${(head ?? []).map((h) => `<th>${cell(h)}</th>`).join('')}</tr>${rest.map((r) => `<tr>${r.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}
