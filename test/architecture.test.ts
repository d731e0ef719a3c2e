import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The import structure the code promises (README "Code layout"): no import
 * cycles between server folders, the session core depending on nothing around
 * it, and one protocol module without Node or DOM code. Read from the sources,
 * so a new import that breaks a rule fails here.
 */
const ROOT = resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** Relative imports of a file (static `import`/`export … from`, and `import('…')`), resolved to repo paths without extension. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1] as string);
  return specs.map((spec) => relative(ROOT, resolve(dirname(file), spec)));
}

/** A server file's unit: its folder under server/, or the file itself for files directly in server/. */
function unitOf(repoPath: string): string | null {
  const parts = repoPath.split('/');
  if (parts[0] !== 'server') return null;
  return parts.length > 2 ? `server/${parts[1]}/` : repoPath.replace(/\.ts$/, '');
}

const serverFiles = sourceFiles(join(ROOT, 'server'));

function unitGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const file of serverFiles) {
    const from = unitOf(relative(ROOT, file)) as string;
    const edges = graph.get(from) ?? new Set<string>();
    graph.set(from, edges);
    for (const target of importsOf(file)) {
      const to = unitOf(target);
      if (to && to !== from) edges.add(to);
    }
  }
  return graph;
}

/** Every cycle's units (strongly connected components of more than one unit), by Tarjan's algorithm. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('code structure', () => {
  test('the cycle finder finds a cycle (so its silence below means something)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });

  test('no import cycles between server folders (and top-level files)', () => {
    const graph = unitGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(cycles(graph)).toEqual([]);
  });

  test('the session core imports only itself, the errors and the protocol', () => {
    const allowed = /^(server\/session\/|server\/errors$|client\/shared\/protocol$)/;
    const outside = serverFiles
      .filter((file) => relative(ROOT, file).startsWith('server/session/'))
      .flatMap((file) => importsOf(file).filter((target) => !allowed.test(target)).map((target) => `${relative(ROOT, file)} → ${target}`));
    expect(outside).toEqual([]);
  });

  test('the protocol module imports nothing and names no Node or DOM API', () => {
    const text = readFileSync(join(ROOT, 'client/shared/protocol.ts'), 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/\b(require|process|Buffer|window|document|globalThis|fetch|setTimeout)\b/);
  });

  test('the shared QR writer imports only qrcode and names no Node or DOM API (the server and the browser SDK both bundle it)', () => {
    const text = readFileSync(join(ROOT, 'client/shared/qr-svg.ts'), 'utf8');
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    expect([...code.matchAll(/^\s*import\s[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1])).toEqual(['qrcode']);
    expect(code).not.toMatch(/\b(require|process|Buffer|window|document|globalThis|fetch|setTimeout|DOMParser)\b/);
  });

  test('the session core does not import Node APIs other than crypto', () => {
    const nodeImports = serverFiles
      .filter((file) => relative(ROOT, file).startsWith('server/session/'))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/from\s+['"](node:[^'"]+)['"]/g)].map((m) => m[1]));
    expect(nodeImports.every((name) => name === 'node:crypto')).toBe(true);
  });
});
