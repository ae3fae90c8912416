#!/usr/bin/env node
// Enforces the process boundaries and the absence of import cycles (run by `npm test`).
//   - no import cycle between files of src/ and webview/ (type-only imports count: a cycle of
//     types is still two files that cannot be read one without the other);
//   - no cycle between the folders src/core, src/protocol, src/training, src/server, src/cli,
//     src/extension and webview;
//   - only src/extension (and the integration tests) import `vscode`;
//   - src/core imports nothing from the other folders; the webview imports only itself and
//     src/protocol (types and tiny helpers: it is bundled for the browser);
//   - every folder of test/unit mirrors a folder of src/.
// Imports are read with the TypeScript parser, so comments and strings never count.
// Usage: node scripts/check-architecture.mjs [--graph]   (exit 1 on a violation)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function walk(dir, acc = []) {
  if (!existsSync(dir)) return acc;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

/** Module specifiers of every import, export-from, import() and require() in a file. */
export function importsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const specs = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specs.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      specs.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteralLike(node.arguments[0])) {
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if (isDynamicImport || isRequire) specs.push(node.arguments[0].text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      specs.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specs;
}

function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base + '.ts', join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** The architectural folder of a file: core, protocol, training, server, cli, extension, webview. */
function area(file) {
  const rel = relative(repo, file).split(sep);
  if (rel[0] === 'webview') return 'webview';
  if (rel[0] === 'src') return rel[1];
  return rel[0];
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const idx = new Map();
  const low = new Map();
  const out = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? new Set()).has(v)) out.push(comp.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

export function checkArchitecture() {
  const files = [...walk(join(repo, 'src')), ...walk(join(repo, 'webview'))];
  const problems = [];
  const fileGraph = new Map();
  const areaGraph = new Map();
  const areaEdgeExample = new Map();
  for (const file of files) {
    const from = area(file);
    const edges = new Set();
    for (const spec of importsOf(file)) {
      const where = relative(repo, file);
      if (spec === 'vscode' && from !== 'extension') problems.push(`${where}: imports "vscode"; only src/extension may (the other processes run without VS Code)`);
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(file, spec);
      if (!target) {
        problems.push(`${where}: cannot resolve "${spec}"`);
        continue;
      }
      edges.add(target);
      const to = area(target);
      if (from === 'core' && to !== 'core') problems.push(`${where}: src/core imports ${relative(repo, target)}; the engine must not depend on the other folders`);
      if (from === 'webview' && to !== 'webview' && to !== 'protocol') problems.push(`${where}: the webview imports ${relative(repo, target)}; it may import only webview/ and src/protocol/`);
      if (from !== to) {
        if (!areaGraph.has(from)) areaGraph.set(from, new Set());
        areaGraph.get(from).add(to);
        const key = `${from}->${to}`;
        if (!areaEdgeExample.has(key)) areaEdgeExample.set(key, `${where} -> ${relative(repo, target)}`);
      }
    }
    fileGraph.set(file, edges);
  }
  for (const comp of cycles(fileGraph)) problems.push(`import cycle between files: ${comp.map((f) => relative(repo, f)).join(' <-> ')}`);
  for (const comp of cycles(areaGraph)) {
    const examples = [];
    for (const a of comp) for (const b of comp) if (areaEdgeExample.has(`${a}->${b}`)) examples.push(areaEdgeExample.get(`${a}->${b}`));
    problems.push(`import cycle between folders ${comp.join(', ')}: ${examples.join('; ')}`);
  }
  // test/unit mirrors src/: every folder under it names a folder that exists under src/.
  for (const testFile of walk(join(repo, 'test', 'unit'))) {
    const rel = relative(join(repo, 'test', 'unit'), dirname(testFile));
    if (rel === '') continue;
    if (!existsSync(join(repo, 'src', rel))) problems.push(`${relative(repo, testFile)}: test/unit/${rel} has no src/${rel} to mirror`);
  }
  return { problems, areaGraph, files: files.length };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { problems, areaGraph, files } = checkArchitecture();
  if (process.argv.includes('--graph')) {
    for (const [from, tos] of [...areaGraph.entries()].sort()) console.log(`${from} -> ${[...tos].sort().join(', ')}`);
  }
  if (problems.length) {
    console.error(`architecture check: ${problems.length} problem(s) in ${files} files`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log(`architecture check: ${files} files, no import cycle, process boundaries kept`);
}
