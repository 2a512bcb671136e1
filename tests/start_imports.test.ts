/**
 * What the server loads before it can answer (issue 14: a cold start under 1 s). Packages that
 * only some requests need are imported where they are used (`await import(…)`), so no start
 * pays for them; these checks keep a static import from bringing one back unnoticed. The graph
 * is Deno's own (`deno info --json`), so it tells static imports from dynamic ones.
 */
import assert from "node:assert/strict";

const ROOT = new URL("..", import.meta.url);

/** Packages loaded on first use, and what uses them. */
const ON_FIRST_USE: Record<string, string> = {
  "pdf-lib": "PDFs: prescriptions, invoices, receipts (~0.2 s to load)",
  "@pdf-lib/fontkit": "the fonts PDFs embed (~0.2 s)",
  "qrcode-generator": "the prescription's QR code",
  nodemailer: "email notifications (~0.1 s)",
  "write-excel-file": "XLSX exports",
  "file-type": "sniffing uploaded documents",
};

interface Dependency {
  code?: { specifier: string };
  isDynamic?: boolean;
}
interface Info {
  modules: { specifier: string; dependencies?: Dependency[] }[];
  redirects: Record<string, string>;
}

/** `npm:pdf-lib@1.17.1`, `npm:/@pdf-lib/fontkit@1.1.1/x` → the package's name. */
const packageOf = (specifier: string) =>
  specifier.match(/^npm:\/?((?:@[^/@]+\/)?[^/@]+)/)?.[1] ?? null;

/** The packages reached from src/main.ts through static imports only, and through any. */
async function packagesFromMain() {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "src/main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const info: Info = JSON.parse(new TextDecoder().decode(out.stdout));
  const modules = new Map(info.modules.map((m) => [m.specifier, m]));
  const walk = (followDynamic: boolean) => {
    const packages = new Set<string>();
    const seen = new Set<string>();
    const todo = [new URL("src/main.ts", ROOT).href];
    while (todo.length) {
      const url = todo.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      for (const dep of modules.get(url)?.dependencies ?? []) {
        const target = dep.code?.specifier; // type-only imports load nothing
        if (!target || (dep.isDynamic && !followDynamic)) continue;
        const name = packageOf(target);
        if (name) packages.add(name);
        else if (target.startsWith("file:")) todo.push(info.redirects[target] ?? target);
      }
    }
    return packages;
  };
  return { atStart: walk(false), reachable: walk(true) };
}

Deno.test("the server's start imports no package that only some requests need", async (t) => {
  const { atStart, reachable } = await packagesFromMain();

  await t.step("the core packages are found, so the walk itself works", () => {
    for (const name of ["hono", "@hono/zod-openapi", "drizzle-orm", "libsql", "zod"]) {
      assert.ok(atStart.has(name), `${name} should load at start`);
    }
  });

  await t.step("none of the first-use packages is imported statically from src/main.ts", () => {
    const eager = Object.keys(ON_FIRST_USE).filter((name) => atStart.has(name));
    assert.deepEqual(
      eager,
      [],
      eager.map((n) => `${n} (${ON_FIRST_USE[n]}) now loads at every start`).join("; "),
    );
  });

  await t.step("each first-use package is still used somewhere (the list is not stale)", () => {
    const unused = Object.keys(ON_FIRST_USE).filter((name) => !reachable.has(name));
    assert.deepEqual(unused, []);
  });
});
