import { htmlPage, htmlTable, type PageSection } from '../report/html-page.js';
import type { ExperimentResult, ResultTable } from './experiment.js';
import type { Verdict } from '../report/verdict.js';

/** Formats a number for a results table: 4 significant digits, integers as they are. */
export function cell(v: string | number): string {
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(2);
  const s = v.toPrecision(4);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

/** A fraction as a percentage with one decimal (0.1234 → 12.3). */
export function percent(x: number): number {
  return Math.round(x * 1000) / 10;
}

/** The table as aligned plain text, for the terminal. */
export function textTable(t: ResultTable): string {
  const rows = [t.columns, ...t.rows.map((r) => r.map(cell))];
  const widths = t.columns.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? '').length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** The table as Markdown, for docs/results.md. */
export function markdownTable(t: ResultTable): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const head = `| ${t.columns.map(esc).join(' | ')} |`;
  const sep = `|${t.columns.map(() => '---').join('|')}|`;
  return [head, sep, ...t.rows.map((r) => `| ${r.map((c) => esc(cell(c))).join(' | ')} |`)].join('\n');
}

/** A wall time for people: 0.48 s, 13 s, 28 min, 1.4 h. */
export function wallTime(s: number): string {
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 600) return `${s.toFixed(0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** How a result page was produced: the command, its wall time and machine, and whether it ran with quick settings. */
export interface ResultRun {
  /** The experiment's canonical command (as the JSON result records it). */
  command: string;
  wallS: number;
  machine: string;
  /** The full command line as typed (shown in the copyable block); defaults to `command`. */
  commandLine?: string;
  /** Quick settings: the page carries a QUICK banner. */
  quick?: boolean;
}

/** The result's verdict: what this run measured against the paper's claim (the finding, computed from the numbers). */
export function resultVerdict(r: ExperimentResult, quick: boolean): Verdict {
  return { status: 'info', text: `${quick ? 'QUICK run: ' : ''}${r.finding}` };
}

/** The HTML page of a result: the verdict (finding), QUICK banner and command first; claim, table, settings, then the plots. */
export function resultPage(r: ExperimentResult, run: ResultRun): string {
  const sections: PageSection[] = [
    { heading: 'Result', html: `<p><b>Paper:</b> ${escText(r.claim)}</p><p><b>This run:</b> ${escText(r.finding)}</p>${htmlTable([r.table.columns, ...r.table.rows])}` },
    ...r.sections,
    {
      heading: 'Settings',
      html: htmlTable([['setting', 'value'], ...Object.entries({ ...r.settings, command: run.command, wall: wallTime(run.wallS), machine: run.machine }).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)])]),
    },
  ];
  const quick = run.quick === true;
  return htmlPage(quick ? `[QUICK] ${r.title}` : r.title, `nla experiment ${r.name}`, sections, { verdicts: [resultVerdict(r, quick)], quick, command: run.commandLine ?? run.command });
}

function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
