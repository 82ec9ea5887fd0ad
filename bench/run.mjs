#!/usr/bin/env node
// Runs the benchmark groups (one module each) and writes bench/RESULTS.md.
//   node bench/run.mjs [--quick] [--only=verify,stores] [--cases=REGEX] [--rounds=N] [--target-ms=N] [--no-write]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runRounds } from './harness.mjs';

// Re-run with --expose-gc: the harness collects garbage between rows, and the store group measures heap.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const value = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const quick = flag('quick');
const settings = {
  rounds: Number(value('rounds') ?? (quick ? 9 : 21)),
  targetMs: Number(value('target-ms') ?? (quick ? 6 : 12)),
  warmupRounds: quick ? 1 : 2,
  quick,
  log: (s) => console.error(s),
};

if (!existsSync(new URL('../dist/index.js', import.meta.url))) {
  console.error('bench: ../dist/index.js is missing; build the library first (`npm run build` in the repository root).');
  process.exit(1);
}

const GROUPS = ['verify', 'stores', 'http'];
const only = value('only')?.split(',');
const sections = []; // { name, text }
const started = Date.now();
for (const name of GROUPS) {
  if (only && !only.includes(name)) continue;
  if (!existsSync(new URL(`./${name}.mjs`, import.meta.url))) continue;
  const group = await import(`./${name}.mjs`);
  if (group.available && !(await group.available())) {
    const why = group.unavailableReason ?? 'not available yet';
    settings.log(`== ${group.title}: skipped (${why})`);
    sections.push({ name, text: `## ${group.title}\n\n<!-- group: ${name} -->\n\nSkipped: ${why}.\n` });
    continue;
  }
  settings.log(`== ${group.title}`);
  let text = '';
  if (group.cases) {
    const filter = value('cases') && new RegExp(value('cases'), 'i');
    const cases = (await group.cases(settings)).filter((c) => !filter || filter.test(c.label));
    const samples = await runRounds(cases, settings);
    text += group.report(samples, settings);
  }
  if (group.extra) text += await group.extra(settings);
  console.log(`\n## ${group.title}\n\n${text}`);
  sections.push({ name, text: `## ${group.title}\n\n<!-- group: ${name} -->\n\n${text}` });
}

const command = `node bench/run.mjs${args.length ? ' ' + args.join(' ') : ''}`;
const header = [
  '# Benchmark results',
  '',
  `- date: ${new Date().toISOString()}`,
  `- Node ${process.version}, OpenSSL ${process.versions.openssl}, V8 ${process.versions.v8}`,
  `- machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.arch()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
  `- command: \`${command}\` (run ${((Date.now() - started) / 1000).toFixed(0)} s; ${settings.rounds} rounds, ~${settings.targetMs} ms per row per round)`,
  '- machine shared with other processes: ratios are taken inside each round between rows timed moments apart,',
  '  so background load mostly cancels out; absolute ops/s are not comparable between runs.',
  '',
  'Each cell: median over rounds of (time per operation of the row) / (time per operation of its baseline in the same',
  'round), and the 95% interval of that median from order statistics. See bench/README.md.',
  '',
].join('\n');
if (!flag('no-write') && sections.length > 0) {
  // With --only, the other groups' sections of the previous RESULTS.md are kept (marked as from an earlier run),
  // so the file always holds every group.
  const resultsUrl = new URL('./RESULTS.md', import.meta.url);
  const previous = new Map();
  if (only && existsSync(resultsUrl)) {
    const old = readFileSync(resultsUrl, 'utf8');
    const oldDate = /- date: (\S+)/.exec(old)?.[1] ?? 'an earlier run';
    for (const part of old.split(/^(?=## )/m).slice(1)) {
      const name = /<!-- group: (\w+) -->/.exec(part)?.[1];
      if (name) previous.set(name, part.includes('(kept from the run of') ? part : part.replace(/^(## .*\n)/, `$1\n_(kept from the run of ${oldDate}; this run used --only)_\n`));
    }
  }
  const ran = new Map(sections.map((x) => [x.name, x.text]));
  const all = GROUPS.map((name) => ran.get(name) ?? previous.get(name)).filter(Boolean);
  writeFileSync(resultsUrl, `${header}\n${all.join('\n')}`);
  settings.log('wrote bench/RESULTS.md');
}
