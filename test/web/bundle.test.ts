import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { distDir, ensureWebBundle, webModuleGraph } from '../runtimes/support.js';

const NODE_BUILTIN = /^node:|^(buffer|crypto|events|fs|http|https|net|os|path|stream|string_decoder|url|util|zlib)(\/|$)/;

/**
 * What a built file needs from Node: `node:` (or bare Node builtin) module specifiers in imports, exports,
 * `require()` and `import()`, and `Buffer`/`process` identifiers. Walks the syntax tree, so the words inside
 * the error-message strings do not count.
 */
function nodeDependencies(code: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && (node.text === 'Buffer' || node.text === 'process')) found.push(node.text);
    let specifier: ts.Node | undefined;
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) specifier = node.moduleSpecifier;
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
      (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) specifier = node.arguments[0];
    if (specifier !== undefined && ts.isStringLiteral(specifier) && NODE_BUILTIN.test(specifier.text)) {
      found.push(specifier.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('bundle.js', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS));
  return found;
}

describe('the built allthings-webhooks/web bundle', () => {
  beforeAll(() => ensureWebBundle());

  it('imports nothing from node: and references no Buffer or process, in web.js and every chunk it loads', () => {
    const files = webModuleGraph();
    expect(files[0]).toBe('web.js');
    for (const file of files) {
      expect({ file, needs: nodeDependencies(readFileSync(join(distDir, file), 'utf8')) }).toEqual({ file, needs: [] });
    }
  });

  it('has a CommonJS build without node: requires or Buffer', () => {
    const code = readFileSync(join(distDir, 'web.cjs'), 'utf8');
    expect(code).not.toMatch(/require\(["']node:/);
    expect(nodeDependencies(code)).toEqual([]);
  });

  it('is checked by a detector that does find Node dependencies', () => {
    const nodeBuild = webModuleGraph('index.js').map((file) => readFileSync(join(distDir, file), 'utf8')).join('\n');
    expect(nodeDependencies(nodeBuild)).toEqual(expect.arrayContaining([expect.stringMatching(/^(node:)?crypto$/)]));
    expect(nodeDependencies('const a = `${x} Buffer`; /* Buffer */ const b = Buffer.from(a);')).toEqual(['Buffer']);
    expect(nodeDependencies('const { createHmac } = require("node:crypto"); await import("fs");')).toEqual(['node:crypto', 'fs']);
  });
});
