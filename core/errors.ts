/**
 * Error types that reach the user. Each names where the problem is (file, JSON path, line and column,
 * time and neuron) and what was expected, so the message alone tells the user what to fix.
 */

/** One problem in a network spec, located by its JSON path (`projections[2].weights`). */
export interface SpecIssue {
  path: string;
  message: string;
}

/**
 * A JSON document (a network spec, a hardware profile, a compiled circuit) failed validation; `issues`
 * lists every problem found, `subject` says what the document is.
 */
export class SpecError extends Error {
  constructor(
    readonly issues: SpecIssue[],
    readonly file?: string,
    readonly subject = 'network spec',
  ) {
    super(formatIssues(issues, subject, file));
    this.name = 'SpecError';
  }
}

function formatIssues(issues: SpecIssue[], subject: string, file?: string): string {
  const where = file ? `${file}: ` : '';
  if (issues.length === 1) return `${where}${issues[0]!.path}: ${issues[0]!.message}`;
  return `${where}${issues.length} problems in the ${subject}:\n` + issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
}

/** Bad data in an input file (CSV, JSON side file): names the file, line, column and what was expected. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly column?: string,
  ) {
    const where = [line !== undefined ? `line ${line}` : undefined, column !== undefined ? `column ${column}` : undefined].filter((s) => s !== undefined).join(', ');
    super([file, where, message].filter((s) => s).join(': '));
    this.name = 'InputError';
  }
}

/** Numerical failure during a simulation (NaN, divergence, singular or indefinite matrix, no convergence). */
export class NumericalError extends Error {
  constructor(
    readonly what: string,
    readonly timeMs: number,
    readonly neuron?: string,
    readonly hint?: string,
  ) {
    super(`${what} at t = ${formatTime(timeMs)}${neuron ? ` in ${neuron}` : ''}${hint ? `. ${hint}` : ''}`);
    this.name = 'NumericalError';
  }
}

/** A command-line usage problem (bad option value). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function formatTime(ms: number): string {
  return `${Number(ms.toPrecision(10))} ms`;
}
