import assert from "node:assert/strict";
import { closeDeps, createApp, createDeps } from "../src/app.ts";
import { parseConfig } from "../src/lib/config.ts";
import { openDatabase } from "../db/client.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg } from "./helpers/factories.ts";

Deno.test("HTTP conventions", async (t) => {
  const app = await createTestApp({
    CORS_ORIGINS: "https://desk.clinic.test",
    BODY_LIMIT_BYTES: "2048",
  });
  const org = await createOrg(app);

  await t.step("every response carries X-Request-Id; a safe incoming id is kept", async () => {
    const a = await app.call("GET", "/api/v1/health");
    assert.match(a.headers.get("x-request-id")!, /^[0-9a-f-]{36}$/);
    const b = await app.call("GET", "/api/v1/health", {
      headers: { "x-request-id": "desk-42.abc" },
    });
    assert.equal(b.headers.get("x-request-id"), "desk-42.abc");
    const c = await app.call("GET", "/api/v1/health", {
      headers: { "x-request-id": "bad id <script>" },
    });
    assert.notEqual(c.headers.get("x-request-id"), "bad id <script>");
  });

  await t.step(
    "errors are problem+json with type, title, status, detail and requestId",
    async () => {
      const res = await app.call("GET", "/api/v1/nope", { headers: { "x-request-id": "trace-1" } });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      assert.deepEqual(Object.keys(res.body).sort(), [
        "detail",
        "requestId",
        "status",
        "title",
        "type",
      ]);
      assert.equal(res.body.requestId, "trace-1");
    },
  );

  await t.step("malformed JSON answers 400, never 500", async () => {
    const res = await app.call("POST", "/api/v1/patients", { token: org.admin, body: "{not json" });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
  });

  await t.step("validation errors name each field and where it was sent", async () => {
    const res = await app.call("GET", "/api/v1/patients?limit=0&sex=dragon", { token: org.admin });
    assert.equal(res.status, 400);
    const fields = res.body.errors.map((e: any) => `${e.in}:${e.path}`).sort();
    assert.deepEqual(fields, ["query:limit", "query:sex"]);
  });

  await t.step("a body over the limit answers 413; a non-JSON body 415", async () => {
    const big = await app.call("POST", "/api/v1/patients", {
      token: org.admin,
      body: JSON.stringify({ givenName: "x".repeat(4000), familyName: "y" }),
    });
    assert.equal(big.status, 413);
    const form = await app.call("POST", "/api/v1/patients", {
      token: org.admin,
      body: "givenName=x",
      headers: { "content-type": "text/plain" },
    });
    assert.equal(form.status, 415);
  });

  await t.step("CORS answers only allow-listed origins", async () => {
    const ok = await app.call("OPTIONS", "/api/v1/patients", {
      headers: { origin: "https://desk.clinic.test", "access-control-request-method": "POST" },
    });
    assert.equal(ok.headers.get("access-control-allow-origin"), "https://desk.clinic.test");
    assert.match(ok.headers.get("access-control-allow-headers") ?? "", /If-Match/i);
    const evil = await app.call("GET", "/api/v1/health", {
      headers: { origin: "https://evil.test" },
    });
    assert.equal(evil.headers.get("access-control-allow-origin"), null);
  });

  await t.step("secure headers are set", async () => {
    const res = await app.call("GET", "/api/v1/health");
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
    assert.equal(res.headers.get("referrer-policy"), "no-referrer");
  });

  await t.step("health and ready answer 200 on a migrated database", async () => {
    assert.deepEqual((await app.call("GET", "/api/v1/health")).body, { status: "ok" });
    const ready = await app.call("GET", "/api/v1/ready");
    assert.equal(ready.status, 200);
    assert.equal(ready.body.migrations, "applied");
  });

  await t.step("ready answers 503 when migrations are missing", async () => {
    const dir = await Deno.makeTempDir();
    const config = parseConfig({
      APP_ENV: "test",
      DATA_DIR: dir,
      JWT_SECRET: "x".repeat(40),
      LOG_LEVEL: "silent",
    });
    const deps = await createDeps(config);
    // Simulate a database someone rolled back by hand: the newest migration is unrecorded.
    const raw = openDatabase(config.database);
    await raw.executeScript([
      'DELETE FROM "__drizzle_migrations" WHERE created_at = (SELECT max(created_at) FROM "__drizzle_migrations")',
    ]);
    raw.close();
    const res = await createApp(deps).request("/api/v1/ready");
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("content-type"), "application/problem+json");
    await closeDeps(deps);
    await Deno.remove(dir, { recursive: true });
  });

  await t.step(
    "the OpenAPI document has the bearer scheme, shared errors and permissions",
    async () => {
      const spec = (await app.call("GET", "/api/v1/openapi.json")).body;
      assert.equal(spec.components.securitySchemes.bearerAuth.scheme, "bearer");
      assert.ok(spec.components.schemas.Problem);
      assert.equal(spec.paths["/api/v1/patients/{id}"].get["x-permission"], "patients:read");
      assert.deepEqual(spec.paths["/api/v1/patients/{id}"].get.responses["404"], {
        $ref: "#/components/responses/404",
      });
    },
  );

  await t.step("/docs is served from the app itself, with no CDN", async () => {
    const html = await app.call("GET", "/docs");
    assert.equal(html.status, 200);
    assert.ok(
      !/https?:\/\//.test(html.body.replace(/http:\/\/www\.w3\.org[^"]*/g, "")),
      "external URL in /docs",
    );
    for (
      const asset of [
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "init.js",
      ]
    ) {
      const res = await app.app.request(`/docs/${asset}`);
      assert.equal(res.status, 200, asset);
      assert.ok((await res.arrayBuffer()).byteLength > 100, asset);
    }
    assert.equal((await app.app.request("/docs/..%2F..%2Fdeno.json")).status, 404);
  });

  await app.close();
});
