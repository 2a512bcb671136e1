/**
 * A real app on a fresh libSQL database file in a temporary folder, per test file: real
 * migrations, real HTTP handling through `app.request`, no mocks.
 */
import { closeDeps, createApp, createDeps } from "../../src/app.ts";
import { type Config, parseConfig } from "../../src/lib/config.ts";
import type { Clock } from "../../src/lib/clock.ts";
import type { Deps } from "../../src/lib/context.ts";
import type { ModuleDef } from "../../src/lib/module.ts";
import { ensureSuperAdmin } from "../../src/modules/users/bootstrap.ts";

export const PASSWORD = "test-password-123";
export const SUPER_ADMIN = { email: "root@platform.test", password: PASSWORD, fullName: "Root" };

export interface TestApp {
  app: ReturnType<typeof createApp>;
  deps: Deps;
  dir: string;
  /** JSON request helper: sets the bearer token and JSON body; returns status, headers, body. */
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; ip?: string },
  ): Promise<{ status: number; headers: Headers; body: any }>;
  /** Closes the app and removes its folder, unless `keep` (another app opens it next). */
  close(opts?: { keep?: boolean }): Promise<void>;
}

export async function createTestApp(
  env: Record<string, string> = {},
  overrides: {
    clock?: Clock;
    config?: (c: Config) => Config;
    /** A module list of the test's own (MODULES plus a test module, say). */
    modules?: readonly ModuleDef[];
  } = {},
): Promise<TestApp> {
  const dir = await Deno.makeTempDir({ prefix: "clinic-test-" });
  let config = parseConfig({
    APP_ENV: "test",
    DATA_DIR: dir,
    JWT_SECRET: "test-secret-test-secret-test-secret-0123",
    LOG_LEVEL: "silent",
    AUDIT_FLUSH_MS: "20",
    ...env,
  });
  // Cheaper scrypt keeps the suite fast; the production cost is checked in password.test.ts.
  config = { ...config, passwordLogN: 10 };
  if (overrides.config) config = overrides.config(config);
  const deps = await createDeps(config, { clock: overrides.clock, modules: overrides.modules });
  const app = createApp(deps);
  await ensureSuperAdmin(deps, SUPER_ADMIN);

  const call: TestApp["call"] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: BodyInit | undefined;
    // A FormData is sent as multipart; fetch writes the Content-Type with its boundary.
    if (opts.body instanceof FormData) body = opts.body;
    else if (opts.body !== undefined) {
      body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
      headers["content-type"] ??= "application/json";
    }
    const res = await app.request(path, { method, headers, body }, {
      remoteAddr: { hostname: opts.ip ?? "127.0.0.1" },
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch { /* not JSON: keep the text */ }
    return { status: res.status, headers: res.headers, body: parsed };
  };

  return {
    app,
    deps,
    dir,
    call,
    async close(opts) {
      await closeDeps(deps);
      if (!opts?.keep) await Deno.remove(dir, { recursive: true });
    },
  };
}
