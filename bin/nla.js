#!/usr/bin/env node
// Entry point of the `nla` command: runs the compiled CLI in dist/ (built by `npm run build`).
const entry = new URL('../dist/cli/nla.js', import.meta.url);
let mod;
try {
  mod = await import(entry.href);
} catch (e) {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli/nla.js')) {
    console.error('nla: the toolkit is not built yet; run `npm run build` (or `npm start`) first');
    process.exit(1);
  }
  throw e;
}
process.exitCode = await mod.main(process.argv);
