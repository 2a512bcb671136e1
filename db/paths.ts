/**
 * Where the server finds the files it reads at run time (migrations, fonts, the common-password
 * list) and its worker scripts, whether it runs from its sources or from the bundle that
 * `deno task build` writes under dist/server/ (where `import.meta.url` names a chunk, at a depth
 * that depends on what shares it). Both are named from the project's root: the nearest folder
 * above this code that holds deno.json.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The sources end in .ts; the bundle is JavaScript. */
const BUNDLED = import.meta.url.endsWith(".js");

/** The folder the bundle is written to, from the project root (see deno.json's build task). */
const BUNDLE_DIR = "dist/server/";

function findRoot(): URL {
  const here = new URL(import.meta.url);
  for (let dir = new URL("./", here);; dir = new URL("../", dir)) {
    if (existsSync(fileURLToPath(new URL("deno.json", dir)))) return dir;
    if (dir.pathname === "/") throw new Error(`no deno.json above ${import.meta.url}`);
  }
}

let root: URL | undefined;

/** A file of the project, by its path from the root: `projectFile("db/migrations")`. */
export function projectFile(path: string): URL {
  return new URL(path, root ??= findRoot());
}

/**
 * A worker script by its source path (`src/modules/audit/writer-worker.ts`); in the bundle, the
 * entry point built from it (`dist/server/modules/audit/writer-worker.js`).
 */
export function workerScript(sourcePath: string): URL {
  if (!BUNDLED) return projectFile(sourcePath);
  return projectFile(BUNDLE_DIR + sourcePath.replace(/^src\//, "").replace(/\.ts$/, ".js"));
}
