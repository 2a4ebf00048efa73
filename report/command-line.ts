/** One argument as a POSIX shell word: bare when it is safe, else in single quotes. */
export function shellWord(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that produced a page, as a user can paste it: `nla` and the arguments this process got
 * (process.argv after node and the script), each quoted for a POSIX shell.
 */
export function commandLine(argv: readonly string[] = process.argv): string {
  return ['nla', ...argv.slice(2).map(shellWord)].join(' ');
}
