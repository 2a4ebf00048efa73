import type { Command } from 'commander';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { webSite } from '../web-site.js';

export function registerBuildWeb(program: Command): void {
  program
    .command('build-web')
    .description('write the workbench (the page, the toolkit\'s browser build, SystemJS, uPlot, the example and plugin) as a static site to a folder')
    .requiredOption('--out <dir>', 'folder to write the site into (created; existing files of the same names are replaced)')
    .action((o: { out: string }) => buildWeb(o.out));
}

function buildWeb(out: string): void {
  if (!out.trim()) throw new UsageError('--out: expected a folder');
  const site = webSite();
  for (const [path, file] of site) {
    const dest = join(out, path);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(file, dest);
  }
  process.stdout.write(`wrote the workbench (${site.size} files) to ${resolve(out)}; serve the folder with any static web server (pages loaded from file:// cannot start workers)\n`);
}
