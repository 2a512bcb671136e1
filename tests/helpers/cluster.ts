/**
 * Real server processes on loopback for the sync tests: a primary and its replicas, each on its
 * own database file, a cuttable TCP link between a replica and its primary, and per-table
 * checksums of an organisation's rows read straight from each node's file.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../db/client.ts";
import { MODULES } from "../../src/modules/index.ts";
import { buildRegistry } from "../../src/lib/module.ts";
import { PASSWORD } from "./app.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
export const SECRET = "cluster-test-secret-cluster-test-secret";

export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

export interface Served {
  port: number;
  url: string;
  dir: string;
  output(): string;
  waitFor(text: string, ms?: number): Promise<void>;
  /** Lines of output since the last call. */
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/**
 * A real server process on loopback, its output collected for the test to wait on. It runs the
 * sources unless `script` names another entry point (the bundle: tests/bundle.test.ts).
 */
export function serve(
  dir: string,
  env: Record<string, string> = {},
  port = freePort(),
  script = "src/main.ts",
): Served {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    cwd: ROOT,
    env: {
      APP_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      DATA_DIR: dir,
      JWT_SECRET: SECRET,
      LOG_LEVEL: "info",
      ...env,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += decoder.decode(chunk);
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)]);
  const end = async (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch { /* already gone */ }
    await child.status;
    await drained;
  };
  return {
    port,
    dir,
    url: `http://127.0.0.1:${port}`,
    output: () => output,
    async waitFor(text: string, ms = 30_000) {
      const until = Date.now() + ms;
      while (!output.includes(text)) {
        if (Date.now() > until) throw new Error(`no "${text}" within ${ms} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop: () => end("SIGTERM"),
    kill: () => end("SIGKILL"),
  };
}

/** JSON over real HTTP to a node. */
export async function http(
  node: { url: string },
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

export async function loginAt(node: { url: string }, email: string, password = PASSWORD) {
  const res = await http(node, "POST", "/api/v1/auth/login", { body: { email, password } });
  if (res.status !== 200) throw new Error(`login at ${node.url}: ${JSON.stringify(res.body)}`);
  return res.body.accessToken as string;
}

/** Runs a sync round on a replica and answers what moved (throws unless 200). */
export async function syncNow(node: { url: string }, token: string) {
  const res = await http(node, "POST", "/api/v1/sync/run", { token });
  if (res.status !== 200) throw new Error(`sync at ${node.url}: ${JSON.stringify(res.body)}`);
  return res.body as { pushed: number; pulled: number; conflicts: number };
}

/**
 * A TCP link a test can cut: connections to `listenPort` are piped to `targetPort` while it is
 * up; cutting it drops the open ones and refuses new ones, as a lost internet link would.
 */
export function link(targetPort: number) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  let up = true;
  const open = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) {
      if (!up) {
        conn.close();
        continue;
      }
      open.add(conn);
      (async () => {
        let upstream: Deno.Conn | undefined;
        try {
          upstream = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
          open.add(upstream);
          await Promise.all([
            conn.readable.pipeTo(upstream.writable).catch(() => {}),
            upstream.readable.pipeTo(conn.writable).catch(() => {}),
          ]);
        } catch { /* the target is down: the connection just closes */ }
        for (const c of [conn, upstream]) {
          if (!c) continue;
          open.delete(c);
          try {
            c.close();
          } catch { /* closed */ }
        }
      })();
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      up = false;
      for (const c of open) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      open.clear();
    },
    restore() {
      up = true;
    },
    close() {
      this.cut();
      listener.close();
    },
  };
}

const registry = buildRegistry(MODULES);

/** Every table that travels between nodes, by SQL name. */
export const SYNCED_TABLES = [...registry.tables]
  .filter(([, t]) => t.spec.sync === "merge" || t.spec.sync === "queue")
  .map(([name]) => name);

/** Rows of the organisation in one table of a node's file, as JSON lines sorted by id. */
async function rowsOf(db: ReturnType<typeof openDatabase>, table: string, orgId: string) {
  const scope = table === "users"
    ? sql`org_id = ${orgId} OR id IN (SELECT user_id FROM memberships WHERE org_id = ${orgId})`
    : sql`org_id = ${orgId}`;
  return await db.db.all<Record<string, unknown>>(
    sql`SELECT * FROM ${sql.identifier(table)} WHERE ${scope} ORDER BY id`,
  );
}

/** Per synced table, a SHA-256 of the organisation's rows in the node's database file. */
export async function checksums(dir: string, orgId: string): Promise<Record<string, string>> {
  const db = openDatabase({ url: `file:${join(dir, "clinic.db")}` });
  try {
    const out: Record<string, string> = {};
    for (const table of SYNCED_TABLES) {
      const rows = await rowsOf(db, table, orgId);
      out[table] = `${rows.length}:` +
        createHash("sha256").update(JSON.stringify(rows)).digest("hex").slice(0, 16);
    }
    return out;
  } finally {
    db.close();
  }
}

/** Rows of the organisation, table by table, for a failure message that shows the difference. */
export async function dump(dir: string, orgId: string, table: string) {
  const db = openDatabase({ url: `file:${join(dir, "clinic.db")}` });
  try {
    return await rowsOf(db, table, orgId);
  } finally {
    db.close();
  }
}

/** How many rows of the organisation each table of a node's file holds. */
export async function rowsOfOrg(dir: string, orgId: string): Promise<Record<string, number>> {
  const db = openDatabase({ url: `file:${join(dir, "clinic.db")}` });
  try {
    const out: Record<string, number> = {};
    for (const [name] of registry.tables) {
      const cols = await db.db.all<{ name: string }>(
        sql`SELECT name FROM pragma_table_info(${name})`,
      );
      if (!cols.some((c) => (Array.isArray(c) ? c[0] : c.name) === "org_id")) continue;
      const [row] = await db.db.all(
        sql`SELECT count(*) FROM ${sql.identifier(name)} WHERE org_id = ${orgId}`,
      );
      out[name] = Number(Array.isArray(row) ? row[0] : Object.values(row as object)[0]);
    }
    return out;
  } finally {
    db.close();
  }
}
