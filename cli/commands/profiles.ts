import type { Command } from 'commander';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { loadProfile } from '../../hardware-models/profiles/load.js';
import { profileSummary } from '../../hardware-models/profiles/profile.js';

export function registerProfiles(program: Command): void {
  program
    .command('profiles')
    .description('list the hardware profiles with their key values (or show one, built-in or a JSON file)')
    .argument('[profile]', 'a profile name or file to show in full')
    .option('--json', 'print as JSON')
    .action((name: string | undefined, o: { json?: boolean }) => {
      const list = name ? [loadProfile(name)] : Object.values(BUILTIN_PROFILES);
      if (o.json) {
        process.stdout.write(JSON.stringify(name ? list[0] : list, null, 2) + '\n');
        return;
      }
      const lines: string[] = [];
      for (const p of list) {
        lines.push(`${p.name}: ${p.description}`);
        for (const [k, v] of Object.entries(profileSummary(p))) lines.push(`  ${k.padEnd(15)} ${v}`);
        lines.push('');
      }
      lines.push('Derive your own: a JSON file {"format": "nla-profile/1", "name": "mine", "extends": "accelerated", …overrides}; see docs/hardware.md.');
      process.stdout.write(lines.join('\n') + '\n');
    });
}
