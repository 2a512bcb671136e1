/**
 * The project's import graph, read from the source text: every `import … from`, `export … from`,
 * bare `import "…"`, dynamic `import("…")`, `new URL("…", import.meta.url)` and `workerScript("…")` (workers, the
 * latter named from the project root, see db/paths.ts) between the repository's own
 * TypeScript files. Type-only imports count: they tie files together just the same for a reader.
 */
import { dirname, join, relative, resolve } from "node:path";

export type Graph = Map<string, string[]>;

const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|new URL\(\s*["']([^"']+)["']\s*,\s*import\.meta\.url|import\(\s*["']([^"']+)["']\s*\)|workerScript\(\s*["']([^"']+)["']\s*\)/g;

export async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** Files (relative to `root`) under `dirs`, each with the repository files it imports. */
export async function importGraph(root: string, dirs: string[]): Promise<Graph> {
  const graph: Graph = new Map();
  for (const dir of dirs) {
    for await (const file of tsFiles(join(root, dir))) {
      const text = await Deno.readTextFile(file);
      const targets = new Set<string>();
      for (const m of text.matchAll(SPECIFIER)) {
        if (m[5]) { // from the project root
          targets.add(m[5]);
          continue;
        }
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
        if (!spec.startsWith(".")) continue; // packages
        targets.add(relative(root, resolve(dirname(file), spec)));
      }
      graph.set(relative(root, file), [...targets].sort());
    }
  }
  return graph;
}

/** Every cycle's files (strongly connected components of more than one file, or a self-import). */
export function cycles(graph: Graph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

/** `src/modules/patients/service.ts` → `patients`; undefined outside src/modules/<name>/. */
export const moduleOf = (file: string) => /^src\/modules\/([^/]+)\//.exec(file)?.[1];

/**
 * The layering rules, as messages naming the importing file and what it imports:
 * - `db/` imports nothing from `src/` (nor `scripts/`);
 * - `src/lib/` imports only `db/` and `src/lib/`; `src/middleware/` also `src/lib/`; neither
 *   imports a module;
 * - a module imports another module only through that module's `mod.ts`.
 */
export function layeringViolations(graph: Graph): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    for (const target of targets) {
      const say = (rule: string) => problems.push(`${file} imports ${target}: ${rule}`);
      if (file.startsWith("db/") && !target.startsWith("db/")) {
        say("db/ imports nothing from outside db/");
      } else if (file.startsWith("src/lib/") && !/^(db|src\/lib)\//.test(target)) {
        say("src/lib/ imports only db/ and src/lib/");
      } else if (
        file.startsWith("src/middleware/") && !/^(db|src\/lib|src\/middleware)\//.test(target)
      ) {
        say("src/middleware/ imports only db/, src/lib/ and src/middleware/");
      } else if (file.startsWith("src/") && target.startsWith("scripts/")) {
        say("src/ never imports scripts/");
      }
      const from = moduleOf(file);
      const to = moduleOf(target);
      if (from && to && from !== to && !target.endsWith(`src/modules/${to}/mod.ts`)) {
        say(`a module imports another only through its mod.ts (src/modules/${to}/mod.ts)`);
      }
    }
  }
  return problems;
}
