#!/usr/bin/env node
// `npm run check:layers`: fails on an import cycle between files or between the top folders of src/, and on an
// import that runs against the layers of docs/ARCHITECTURE.md:
//   kg, kernels → core → models, hyperbolic → registry → muldE, general, eval → lookup → serve, pipeline → cli, index.ts,
//   browser.ts (the entries: index.ts of Node, browser.ts of a web page; neither imports src/cli)
// A folder may import folders of lower layers and, without a cycle, of its own layer — except that src/general and
// src/muldE never import each other, and kg and kernels import nothing of the project outside themselves.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
const LAYERS = [['kg', 'kernels'], ['core'], ['models', 'hyperbolic'], ['registry'], ['muldE', 'general', 'eval'], ['lookup'], ['serve', 'pipeline'], ['cli'], ['index.ts', 'browser.ts']];
const rank = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));
const FORBIDDEN = new Set(['general->muldE', 'muldE->general', 'index.ts->cli', 'browser.ts->cli']);
const ISOLATED = new Set(['kg', 'kernels']);

/** Every .ts file under dir. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"`]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|^\s*import\s+['"](\.[^'"]+)['"]/gm;
const files = walk(root);
const graph = new Map();
for (const file of files) {
  const targets = new Set();
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
    targets.add(target.endsWith('.ts') ? target : `${target}.ts`); // AssemblyScript imports omit the extension
  }
  graph.set(file, [...targets]);
}

const folderOf = (file) => path.relative(root, file).split(path.sep)[0];
const rel = (file) => path.relative(path.join(root, '..'), file);
const problems = [];

for (const [file, targets] of graph) {
  const from = folderOf(file);
  if (!rank.has(from)) problems.push(`${rel(file)}: src/${from} is not a layer of docs/ARCHITECTURE.md`);
  for (const target of targets) {
    if (!graph.has(target)) {
      problems.push(`${rel(file)}: imports ${rel(target)}, which does not exist`);
      continue;
    }
    const to = folderOf(target);
    if (from === to) continue;
    const edge = `${from}->${to}`;
    if (ISOLATED.has(from)) problems.push(`${rel(file)} → ${rel(target)}: src/${from} imports nothing of the project outside itself`);
    else if (FORBIDDEN.has(edge)) problems.push(`${rel(file)} → ${rel(target)}: ${edge.replace('->', ' may not import ')} (src/general and src/muldE never import each other; only src/cli imports src/cli)`);
    else if ((rank.get(to) ?? -1) > (rank.get(from) ?? -1)) problems.push(`${rel(file)} → ${rel(target)}: src/${from} is below src/${to} (a back-edge)`);
  }
}

/** Strongly connected components with more than one node (Tarjan), i.e. the cycles of a graph. */
function cycles(nodes, edgesOf) {
  let index = 0;
  const stack = [], on = new Set(), idx = new Map(), low = new Map(), found = [];
  const visit = (v) => {
    idx.set(v, index); low.set(v, index); index++;
    stack.push(v); on.add(v);
    for (const w of edgesOf(v)) {
      if (!idx.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const component = [];
      let w;
      do { w = stack.pop(); on.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1) found.push(component);
    }
  };
  for (const v of nodes) if (!idx.has(v)) visit(v);
  return found;
}

for (const component of cycles([...graph.keys()], (f) => (graph.get(f) ?? []).filter((t) => graph.has(t)))) {
  problems.push(`import cycle between files: ${component.map(rel).sort().join(', ')}`);
}
const folderEdges = new Map();
for (const [file, targets] of graph) {
  for (const target of targets) {
    if (!graph.has(target) || folderOf(file) === folderOf(target)) continue;
    const set = folderEdges.get(folderOf(file)) ?? new Set();
    set.add(folderOf(target));
    folderEdges.set(folderOf(file), set);
  }
}
for (const component of cycles([...folderEdges.keys()], (f) => [...(folderEdges.get(f) ?? [])])) {
  problems.push(`import cycle between folders: ${component.map((f) => `src/${f}`).sort().join(', ')}`);
}

const imports = [...graph.values()].reduce((n, t) => n + t.length, 0);
if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\ncheck:layers: ${problems.length} problem(s) in ${files.length} files\n`);
  process.exit(1);
}
process.stdout.write(`check:layers: ${files.length} files, ${imports} imports; no cycles, no back-edges\n`);
