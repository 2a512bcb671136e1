/**
 * Sessions: the list names each session's device and last use; a session ends after the idle
 * timeout without a request or refresh, and at its absolute lifetime whatever its use; last use
 * is written at most once a minute per session, not on every request. The app's clock moves.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { sessions } from "../db/schema/mod.ts";
import { createTestApp, PASSWORD } from "./helpers/app.ts";
import { createOrg } from "./helpers/factories.ts";

const MINUTE = 60_000;
const FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0";
const CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 " +
  "(KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";

Deno.test("sessions: devices, last use, idle timeout and absolute lifetime", async (t) => {
  let now = Date.parse("2030-03-04T08:00:00Z");
  const clock = { now: () => new Date(now) };
  const app = await createTestApp({
    ACCESS_TOKEN_TTL_SECONDS: "3600",
    SESSION_IDLE_TIMEOUT_MINUTES: "30",
    SESSION_MAX_HOURS: "12",
  }, { clock });
  const org = await createOrg(app);
  const signIn = async (userAgent: string) => {
    const res = await app.call("POST", "/api/v1/auth/login", {
      body: { email: org.adminEmail, password: PASSWORD },
      headers: { "user-agent": userAgent },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { accessToken: string; refreshToken: string };
  };
  const me = (token: string) => app.call("GET", "/api/v1/auth/me", { token });
  const lastUsedOf = async (token: string) => {
    const list = await app.call("GET", "/api/v1/auth/sessions", { token });
    return list.body.data.find((s: any) => s.current).lastUsedAt as string;
  };

  await t.step("the list names the device and the last use of each session", async () => {
    const phone = await signIn(FIREFOX_ANDROID);
    now += MINUTE;
    const desk = await signIn(CHROME_WINDOWS);
    const list = await app.call("GET", "/api/v1/auth/sessions", { token: desk.accessToken });
    assert.equal(list.status, 200);
    const mine = list.body.data.filter((s: any) => s.device);
    const byDevice = new Map(mine.map((s: any) => [s.device, s]));
    assert.ok(byDevice.has("Firefox 128 on Android"), JSON.stringify(list.body.data));
    assert.ok(byDevice.has("Chrome 126 on Windows"));
    const current = list.body.data.find((s: any) => s.current);
    assert.equal(current.device, "Chrome 126 on Windows");
    assert.equal(current.lastUsedAt, new Date(now).toISOString());
    assert.equal(current.expiresAt, new Date(now + 12 * 60 * MINUTE).toISOString());
    await app.call("POST", "/api/v1/auth/logout", { token: phone.accessToken });
    await app.call("POST", "/api/v1/auth/logout", { token: desk.accessToken });
  });

  await t.step("requests within the idle timeout keep the session alive", async () => {
    const s = await signIn(CHROME_WINDOWS);
    for (let i = 0; i < 2; i++) {
      now += 25 * MINUTE;
      assert.equal((await me(s.accessToken)).status, 200, `after ${(i + 1) * 25} minutes`);
    }
    // 75 minutes after login, 25 after the last request; the access token is still within its hour.
    now += 5 * MINUTE;
    assert.equal((await me(s.accessToken)).status, 200);
    await app.call("POST", "/api/v1/auth/logout", { token: s.accessToken });
  });

  await t.step("last use is written at most once a minute, not on every request", async () => {
    const s = await signIn(CHROME_WINDOWS);
    const list = await app.call("GET", "/api/v1/auth/sessions", { token: s.accessToken });
    const id = list.body.data.find((x: any) => x.current).id;
    now += 2 * MINUTE;
    assert.equal((await me(s.accessToken)).status, 200);
    const written = new Date(now).toISOString();
    for (let i = 0; i < 5; i++) {
      now += 10_000;
      assert.equal((await me(s.accessToken)).status, 200);
    }
    const [row] = await app.deps.db.db.select().from(sessions).where(eq(sessions.id, id));
    assert.equal(row.lastUsedAt, written, "five requests in the next 50 s wrote nothing");
    now += 15_000;
    await me(s.accessToken);
    assert.equal(await lastUsedOf(s.accessToken), new Date(now).toISOString());
    await app.call("POST", "/api/v1/auth/logout", { token: s.accessToken });
  });

  await t.step("idle past the timeout: access token and refresh both refused", async () => {
    const s = await signIn(FIREFOX_ANDROID);
    now += 29 * MINUTE;
    const refreshed = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: s.refreshToken },
    });
    assert.equal(refreshed.status, 200, "a refresh within the timeout is a use");
    now += 31 * MINUTE;
    const idle = await me(refreshed.body.accessToken);
    assert.equal(idle.status, 401);
    assert.match(idle.body.detail, /idle/);
    const late = await app.call("POST", "/api/v1/auth/refresh", {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    assert.equal(late.status, 401);
    // The idle session no longer shows in the list of a fresh one.
    const fresh = await signIn(CHROME_WINDOWS);
    const list = await app.call("GET", "/api/v1/auth/sessions", { token: fresh.accessToken });
    assert.ok(!list.body.data.some((x: any) => x.device === "Firefox 128 on Android"));
    await app.call("POST", "/api/v1/auth/logout", { token: fresh.accessToken });
  });

  await t.step("the absolute lifetime ends a session however busy it is", async () => {
    const s = await signIn(CHROME_WINDOWS);
    let refreshToken = s.refreshToken;
    let access = s.accessToken;
    for (let i = 0; i < 23; i++) {
      now += 30 * MINUTE;
      const r = await app.call("POST", "/api/v1/auth/refresh", { body: { refreshToken } });
      assert.equal(r.status, 200, `refresh ${i}`);
      ({ refreshToken, accessToken: access } = r.body);
    }
    assert.equal((await me(access)).status, 200, "11.5 hours in");
    now += 30 * MINUTE;
    assert.equal((await me(access)).status, 401, "12 hours in");
    const r = await app.call("POST", "/api/v1/auth/refresh", { body: { refreshToken } });
    assert.equal(r.status, 401);
  });

  await app.close();
});

Deno.test("sessions: the lifetime defaults and REFRESH_TOKEN_TTL_DAYS as the old name", async () => {
  const { parseConfig } = await import("../src/lib/config.ts");
  const base = { APP_ENV: "test", JWT_SECRET: "x".repeat(32) };
  assert.deepEqual(parseConfig(base).sessions, { idleTimeoutMinutes: 30, maxHours: 12 });
  assert.equal(parseConfig({ ...base, REFRESH_TOKEN_TTL_DAYS: "2" }).sessions.maxHours, 48);
  assert.equal(
    parseConfig({ ...base, REFRESH_TOKEN_TTL_DAYS: "2", SESSION_MAX_HOURS: "8" }).sessions.maxHours,
    8,
  );
});
