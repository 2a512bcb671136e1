import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../src/lib/config.ts";

const problemsOf = (env: Record<string, string>) => {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
};

Deno.test("configuration", async (t) => {
  const dir = await Deno.makeTempDir();

  await t.step("defaults: port 8000, embedded file in the data folder, FULL sync", () => {
    const c = parseConfig({ DATA_DIR: dir, APP_ENV: "test", JWT_SECRET: "s".repeat(32) });
    assert.equal(c.port, 8000);
    assert.equal(c.database.url, `file:${join(dir, "clinic.db")}`);
    assert.equal(c.database.synchronous, "FULL");
    assert.equal(c.logLevel, "info");
    assert.equal(c.passwordLogN, 17);
  });

  await t.step("database memory: 8 MiB page cache and no map by default, both configurable", () => {
    const base = { DATA_DIR: dir, APP_ENV: "test", JWT_SECRET: "s".repeat(32) };
    const d = parseConfig(base).database;
    assert.equal(d.cacheSizeKiB, 8192);
    assert.equal(d.mmapSizeBytes, 0);
    const set = parseConfig({
      ...base,
      DATABASE_CACHE_SIZE_KIB: "2048",
      DATABASE_MMAP_SIZE_MIB: "64",
    });
    assert.equal(set.database.cacheSizeKiB, 2048);
    assert.equal(set.database.mmapSizeBytes, 64 * 2 ** 20);
    assert.deepEqual(
      problemsOf({ ...base, DATABASE_CACHE_SIZE_KIB: "-1", DATABASE_MMAP_SIZE_MIB: "lots" })
        .map((p) => p.split(":")[0]),
      ["DATABASE_CACHE_SIZE_KIB", "DATABASE_MMAP_SIZE_MIB"],
    );
  });

  await t.step("every bad variable is reported, one message each", () => {
    const problems = problemsOf({
      PORT: "eighty",
      APP_ENV: "staging",
      DATABASE_URL: "postgres://x",
      DATABASE_SYNCHRONOUS: "OFF",
      LOG_LEVEL: "loud",
      JWT_SECRET: "short",
      CORS_ORIGINS: "not an origin",
    });
    const vars = problems.map((p) => p.split(":")[0]).sort();
    assert.deepEqual(vars, [
      "APP_ENV",
      "CORS_ORIGINS",
      "DATABASE_SYNCHRONOUS",
      "DATABASE_URL",
      "JWT_SECRET",
      "LOG_LEVEL",
      "PORT",
    ]);
  });

  await t.step("a replica needs its primary's URL and its node credential, nothing more", () => {
    assert.deepEqual(problemsOf({ DATA_DIR: dir, APP_ENV: "test", SYNC_ROLE: "replica" }), [
      "SYNC_PRIMARY_URL: required for a replica",
      "SYNC_NODE_TOKEN: required for a replica",
    ]);
    const c = parseConfig({
      DATA_DIR: dir,
      APP_ENV: "test",
      JWT_SECRET: "s".repeat(32),
      SYNC_ROLE: "replica",
      SYNC_PRIMARY_URL: "https://hq.example.org",
      SYNC_NODE_TOKEN: "cn_0123456789abcdef",
    });
    assert.deepEqual(c.sync, {
      role: "replica",
      primaryUrl: "https://hq.example.org",
      nodeToken: "cn_0123456789abcdef",
      intervalSeconds: 30,
      pushMaxBytes: 32 * 1024 * 1024,
    });
    assert.equal(parseConfig({ DATA_DIR: dir, APP_ENV: "test" }).sync.role, "standalone");
  });

  await t.step("production requires JWT_SECRET", () => {
    assert.deepEqual(problemsOf({ APP_ENV: "production", DATA_DIR: dir }), [
      "JWT_SECRET: required when APP_ENV=production",
    ]);
  });

  await t.step("development generates a secret once and keeps it in the data folder", () => {
    const a = parseConfig({ APP_ENV: "development", DATA_DIR: dir });
    assert.ok(existsSync(join(dir, ".jwt-secret")));
    const b = parseConfig({ APP_ENV: "development", DATA_DIR: dir });
    assert.equal(a.jwt.secret, b.jwt.secret);
    assert.ok(a.jwt.secret.length >= 32);
  });

  await t.step("a bad value stops the process with a message and exit code 1", async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "src/main.ts"],
      env: { PORT: "-1", DATA_DIR: dir, APP_ENV: "test" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 1);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.match(stderr, /PORT: /);
    assert.ok(!stderr.includes("    at "), "no stack trace");
  });

  await Deno.remove(dir, { recursive: true });
});
