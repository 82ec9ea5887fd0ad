// Writes package.json "exports" from src/entries/*.ts, so that every built subpath is exported and no
// export points at a file the build does not make. test/dist/builds.test.ts checks they agree.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const names = readdirSync('src/entries').filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
const entry = (name) => ({
  import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
  require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
});
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
pkg.exports = { '.': entry('index') };
for (const name of names) pkg.exports[`./${name}`] = entry(name);
pkg.exports['./package.json'] = './package.json';
writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
console.log(`exports: . ${names.map((n) => `./${n}`).join(' ')}`);
