/**
 * The house rules of the source tree, checked from the imports themselves (static, dynamic and
 * type-only, every relative specifier in src/ and workers/). A room is a folder of src/ (cli/,
 * input/, kernel/, pool/, ...), a file at src/'s root, or workers/. No import may make a cycle of
 * rooms (an arrow that runs back up), and the rooms that others build on import only below.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** A file's room: `src/<folder>/`, a file at src/'s root, or `workers/`. */
function roomOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'workers') return 'workers/';
  return parts.length > 2 ? `src/${parts[1]}/` : file;
}

/** Every project file each file imports, by relative specifier. */
const imports = new Map<string, string[]>(
  [...sources('src'), ...sources('workers')].map((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.\.?\/[^'"]+)['"]/g)].map((m) => m[1]!);
    return [file, specifiers.map((s) => relative(root, resolve(root, dirname(file), s)))];
  }),
);

/** Room-level arrows: room -> the rooms it imports (itself left out). */
function roomGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, targets] of imports) {
    const from = roomOf(file);
    const out = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
    for (const target of targets) if (roomOf(target) !== from) out.add(roomOf(target));
  }
  return graph;
}

/** A cycle of rooms, if there is one (depth-first search). */
function findCycle(graph: Map<string, Set<string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (room: string): string[] | null => {
    if (state.get(room) === 'done') return null;
    if (state.get(room) === 'open') return [...path.slice(path.indexOf(room)), room];
    state.set(room, 'open');
    path.push(room);
    for (const next of graph.get(room) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(room, 'done');
    return null;
  };
  for (const room of graph.keys()) {
    const cycle = visit(room);
    if (cycle) return cycle;
  }
  return null;
}

/** The project files that files of `room` import from outside the room. */
function importsOf(room: string): string[] {
  const out = new Set<string>();
  for (const [file, targets] of imports) {
    if (roomOf(file) !== room) continue;
    for (const target of targets) if (roomOf(target) !== room) out.add(target);
  }
  return [...out].sort();
}

describe('the import graph of src/ and workers/', () => {
  it('reads the imports (the check is not vacuous)', () => {
    expect(imports.size).toBeGreaterThan(40);
    expect(importsOf('workers/')).toContain('src/pool/task.ts');
  });

  it('has no cycle of rooms: no import runs back up', () => {
    expect(findCycle(roomGraph())).toBeNull();
  });

  it('finds a cycle when there is one (the search itself works)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('kernel/ imports nothing above it but the runtime paths', () => {
    expect(importsOf('src/kernel/')).toEqual(['src/paths.ts']);
  });

  it('input/ never imports the pool, the report, the stage or the command line', () => {
    expect(importsOf('src/input/').filter((f) => /^src\/(pool|report|stage|cli)\/|^src\/(evaluate|index)\.ts$/.test(f))).toEqual([]);
  });

  it('the worker imports only kernel/, input/, the task messages and the errors, never the pool or the barrel', () => {
    const outside = importsOf('workers/').filter((f) => !/^src\/(kernel|input)\//.test(f));
    expect(outside).toEqual(['src/errors.ts', 'src/pool/task.ts']);
  });

  it('the shared leaves import no project file', () => {
    for (const leaf of ['src/errors.ts', 'src/paths.ts', 'src/zod.ts', 'src/pool/task.ts']) {
      const runtime = readFileSync(join(root, leaf), 'utf8').match(/^import (?!type)[^;]*from\s+['"]\.\.?\//gm) ?? [];
      expect(runtime, leaf).toEqual([]);
    }
  });

  it('only cli/ writes to stdout or sets the exit status', () => {
    // workers/testFault.ts: the test-only fault hook, whose `exit` fault is a worker calling process.exit.
    const offenders = [...imports.keys()].filter(
      (file) =>
        !file.startsWith('src/cli/') &&
        !file.endsWith('.mjs') &&
        file !== 'workers/testFault.ts' &&
        /process\.(stdout|exit)/.test(readFileSync(join(root, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
