#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self and inclusive shares per function.
//   node bench/profile-summary.mjs FILE.cpuprofile [--top=30] [--match=REGEX]
// --match keeps only functions whose name or file matches (e.g. --match=dist/ for the library's own code).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top=30] [--match=REGEX]');
  process.exit(2);
}
const top = Number(args.find((a) => a.startsWith('--top='))?.slice(6) ?? 30);
const match = args.find((a) => a.startsWith('--match='))?.slice(8);
const keep = match ? new RegExp(match) : undefined;

const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hits = new Map();
for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
const total = profile.samples.length;
const name = (n) => {
  const f = n.callFrame;
  const where = f.url ? `${f.url.replace(/^file:\/\//, '').split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
  return `${f.functionName || '(anonymous)'} ${where}`.trim();
};

const self = new Map();
const inclusive = new Map();
for (const [id, count] of hits) {
  const k = name(byId.get(id));
  self.set(k, (self.get(k) ?? 0) + count);
  const seen = new Set();
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const key = name(byId.get(x));
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + count);
  }
}
const print = (title, map) => {
  console.log(`\n${title}`);
  const rows = [...map].filter(([k]) => !keep || keep.test(k)).sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [k, v] of rows) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
};
const ms = (profile.endTime - profile.startTime) / 1000;
console.log(`${file}: ${total} samples over ${ms.toFixed(0)} ms`);
print('self time', self);
print('inclusive time (function and everything it calls)', inclusive);
