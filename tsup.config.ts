import { readdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Every file in src/entries/ is a public subpath export (`allthings-webhooks/<name>`).
const entries: Record<string, string> = { index: 'src/index.ts' };
for (const file of readdirSync('src/entries')) {
  if (file.endsWith('.ts')) entries[file.slice(0, -3)] = `src/entries/${file}`;
}

export default defineConfig({
  entry: entries,
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node18',
  splitting: true,
  treeshake: true,
});
