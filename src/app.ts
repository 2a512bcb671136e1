/**
 * Builds the application from its dependencies. No globals: tests build as many apps as they
 * like, each on its own database.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { secureHeaders } from "hono/secure-headers";
import { type DatabaseHandle, openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { type Config, isEmbeddedFile } from "./lib/config.ts";
import { type Clock, systemClock } from "./lib/clock.ts";
import type { AppEnv, Deps } from "./lib/context.ts";
import { createLogger, type Logger } from "./lib/logger.ts";
import { ERROR_RESPONSES, ProblemSchema } from "./lib/openapi.ts";
import { handleError, problemResponse } from "./lib/problem-handler.ts";
import { createRateLimiter } from "./lib/rate-limit.ts";
import { requestContext } from "./middleware/request-context.ts";
import { installRowRules } from "../db/tenant.ts";
import { API_PREFIX } from "./lib/http.ts";
import { buildRegistry, type ModuleDef } from "./lib/module.ts";
import { createAuditLog } from "./modules/audit/mod.ts";
import {
  createPrincipalResolver,
  createSessionActivity,
  createTokenService,
} from "./modules/auth/mod.ts";
import { MODULES } from "./modules/index.ts";
import { createFileStorage } from "./modules/patient-documents/mod.ts";
import { docsRoutes } from "./modules/system/mod.ts";

export { API_PREFIX };
export const SPEC_PATH = `${API_PREFIX}/openapi.json`;

/** Opens the database, applies migrations and wires the services. */
export async function createDeps(
  config: Config,
  overrides: {
    clock?: Clock;
    logger?: Logger;
    db?: DatabaseHandle;
    /** The module list (tests add a module of their own); MODULES by default. */
    modules?: readonly ModuleDef[];
    /** Called after each start-up step with its name (main.ts times them). */
    mark?: (step: string) => void;
  } = {},
): Promise<Deps> {
  const mark = overrides.mark ?? (() => {});
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const registry = buildRegistry(overrides.modules ?? MODULES);
  installRowRules(registry.rowRules);
  mark("registry built");
  const db = overrides.db ?? openDatabase(config.database);
  mark("database opened");
  await migrate(db);
  mark("migrations checked");
  const deps: Deps = {
    config,
    db,
    clock,
    logger,
    audit: createAuditLog(db, clock, logger, {
      flushMs: config.auditFlushMs,
      // A worker needs a database it can open itself: a plain embedded file, not `:memory:` and
      // not an embedded replica, whose sync state belongs to one connection.
      workerDatabase: overrides.db || !isEmbeddedFile(config) || config.database.syncUrl
        ? undefined
        : config.database,
    }),
    loginLimiter: createRateLimiter(
      config.loginRateLimit.max,
      config.loginRateLimit.windowSeconds,
      clock,
    ),
    tokens: createTokenService(config.jwt, clock),
    principals: createPrincipalResolver(
      db,
      clock,
      1000,
      createSessionActivity(db, config.sessions.idleTimeoutMinutes),
    ),
    documents: createFileStorage(config.documents.dir),
    registry,
    site: { code: config.siteCode },
    background: [],
  };
  mark("services wired");
  // Work modules do at start, such as building the search index of a database from before it.
  for (const m of registry.modules) {
    if (!m.onStart) continue;
    const stop = await m.onStart(deps);
    if (stop) deps.background.push(stop);
    mark(`${m.name} onStart`);
  }
  return deps;
}

/** Flushes buffered audit entries and logs, then closes the database. */
export async function closeDeps(deps: Deps) {
  for (const stop of deps.background.splice(0)) await stop();
  await deps.audit.close();
  deps.logger.flush();
  deps.db.close();
}

export function createApp(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use("*", requestContext(deps));
  app.use(
    "*",
    secureHeaders({ crossOriginResourcePolicy: "same-origin", strictTransportSecurity: false }),
  );
  const corsHandler = cors({
    origin: (origin) => {
      const allowed = deps.config.corsOrigins;
      return allowed.includes("*") || allowed.includes(origin) ? origin : null;
    },
    allowHeaders: ["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Request-Id"],
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    exposeHeaders: ["ETag", "Location", "X-Request-Id", "Retry-After", "Idempotent-Replayed"],
    maxAge: 600,
  });
  // Responses are per user and mostly patient data: no browser or proxy may keep a copy. A
  // handler that means otherwise sets its own Cache-Control.
  app.use(`${API_PREFIX}/*`, async (c, next) => {
    await next();
    if (!c.res.headers.has("cache-control")) c.res.headers.set("Cache-Control", "no-store");
  });
  // CORS concerns browsers, which always send Origin; skipping it otherwise saves ~12 µs a
  // request (Hono's cors rebuilds the response to add its headers).
  app.use(`${API_PREFIX}/*`, (c, next) => c.req.header("origin") ? corsHandler(c, next) : next());
  // Uploads (documents, imports) get their own, larger ceiling; each upload route then checks
  // its file against its exact limit.
  const limitOf = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => problemResponse(c, 413, `The request body exceeds ${maxSize} bytes.`),
    });
  const jsonLimit = limitOf(deps.config.bodyLimitBytes);
  const uploadLimit = limitOf(
    Math.max(deps.config.documents.maxBytes, deps.config.imports.maxBytes) + 1024 * 1024,
  );
  // A replica's push batch (up to 1,000 changes with their audit entries) is read only once the
  // node's credential has been checked.
  const pushLimit = limitOf(deps.config.sync.pushMaxBytes);
  app.use(
    `${API_PREFIX}/*`,
    (c, next) =>
      /^multipart\/form-data/i.test(c.req.header("content-type") ?? "")
        ? uploadLimit(c, next)
        : c.req.path === `${API_PREFIX}/sync/push`
        ? pushLimit(c, next)
        : jsonLimit(c, next),
  );

  const api = new OpenAPIHono<AppEnv>();
  for (const m of deps.registry.modules) if (m.routes) api.route("/", m.routes());
  app.route(API_PREFIX, api);

  app.openAPIRegistry.register("Problem", ProblemSchema);
  app.openAPIRegistry.registerComponent("securitySchemes", "nodeAuth", {
    type: "http",
    scheme: "bearer",
    description: "A clinic replica node's credential (`cn_…`), from POST /api/v1/sync/nodes.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The accessToken from POST /api/v1/auth/login, or an API key (`ck_…`) " +
      "from POST /api/v1/api-keys.",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKeyAuth", {
    type: "apiKey",
    in: "header",
    name: "X-API-Key",
    description: "An API key (`ck_…`) from POST /api/v1/api-keys, acting with its permissions.",
  });
  for (const [status, response] of Object.entries(ERROR_RESPONSES)) {
    app.openAPIRegistry.registerComponent("responses", status, {
      description: response.description,
      content: {
        "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
      },
    });
  }
  app.doc31(SPEC_PATH, {
    openapi: "3.1.0",
    info: {
      title: "Clinic API",
      version: "0.1.0",
      description: "Clinic and hospital management API. Every operation lists the permission " +
        "it requires in `x-permission`; errors are `application/problem+json` (RFC 9457).",
    },
    servers: [{ url: "/" }],
  });
  app.route("/", docsRoutes(SPEC_PATH));
  app.get("/", (c) => c.redirect("/docs"));

  app.notFound((c) => problemResponse(c, 404, "No such endpoint."));
  app.onError(handleError);
  return app;
}

export type App = ReturnType<typeof createApp>;
