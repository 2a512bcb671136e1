/**
 * Imports flow downward: db/ ← src/lib/ ← src/middleware/ ← src/modules/ ← src/app.ts, modules
 * meet only through each other's mod.ts, and no two files import each other, even through
 * others. The graph is read from the source, so a new file is checked the day it is added.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { cycles, importGraph, layeringViolations } from "./helpers/import-graph.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

Deno.test("the import graph", async (t) => {
  const graph = await importGraph(ROOT, ["db", "src", "scripts"].filter(exists));

  await t.step("reads every source file and its imports", () => {
    assert.ok(graph.size > 100, `only ${graph.size} files read`);
    assert.ok(graph.get("src/app.ts")!.includes("src/modules/index.ts"));
  });

  await t.step("imports flow downward and modules meet through mod.ts", () => {
    assert.deepEqual(layeringViolations(graph), []);
  });

  await t.step("no file imports itself through others", () => {
    assert.deepEqual(cycles(graph), []);
  });

  await t.step("the checks catch what they look for", () => {
    const bad = new Map([
      ["db/tenant.ts", ["src/lib/ids.ts"]],
      ["src/lib/context.ts", ["src/modules/audit/service.ts"]],
      ["src/modules/a/service.ts", ["src/modules/b/service.ts"]],
      ["src/modules/b/mod.ts", ["src/modules/a/service.ts"]],
      ["src/modules/a/mod.ts", ["src/modules/a/service.ts"]],
      ["src/modules/b/service.ts", ["src/modules/b/mod.ts"]],
    ]);
    const problems = layeringViolations(bad);
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.match(problems.join("\n"), /db\/ imports nothing/);
    assert.deepEqual(
      cycles(new Map([["x.ts", ["y.ts"]], ["y.ts", ["z.ts"]], ["z.ts", ["x.ts"]]])),
      [["x.ts", "y.ts", "z.ts"]],
    );
  });
});

function exists(dir: string) {
  try {
    return Deno.statSync(`${ROOT}/${dir}`).isDirectory;
  } catch {
    return false;
  }
}
