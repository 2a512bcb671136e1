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
import { auditModule } from "./modules/audit/mod.ts";
import { createAuditLog } from "./modules/audit/service.ts";
import { authModule } from "./modules/auth/mod.ts";
import { createTokenService } from "./modules/auth/tokens.ts";
import { createPrincipalResolver } from "./modules/auth/principal.ts";
import { facilitiesModule } from "./modules/facilities/mod.ts";
import { organizationsModule } from "./modules/organizations/mod.ts";
import { patientClinicalModule } from "./modules/patient-clinical/mod.ts";
import { patientDocumentsModule } from "./modules/patient-documents/mod.ts";
import { createFileStorage } from "./modules/patient-documents/storage.ts";
import { patientDuplicatesModule } from "./modules/patient-duplicates/mod.ts";
import { ensureSearchIndex } from "./modules/patient-search/indexer.ts";
import { patientSearchModule } from "./modules/patient-search/mod.ts";
import { patientTransferModule } from "./modules/patient-transfer/mod.ts";
import { patientsModule } from "./modules/patients/mod.ts";
import { docsRoutes } from "./modules/system/docs.ts";
import { systemModule } from "./modules/system/mod.ts";
import { usersModule } from "./modules/users/mod.ts";

export const API_PREFIX = "/api/v1";
export const SPEC_PATH = `${API_PREFIX}/openapi.json`;

/** Opens the database, applies migrations and wires the services. */
export async function createDeps(
  config: Config,
  overrides: { clock?: Clock; logger?: Logger; db?: DatabaseHandle } = {},
): Promise<Deps> {
  const clock = overrides.clock ?? systemClock;
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const db = overrides.db ?? openDatabase(config.database);
  await migrate(db);
  // A database from before the search index (or restored without it) gets it built once here.
  await ensureSearchIndex({ db, logger });
  return {
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
    principals: createPrincipalResolver(db.db, clock),
    documents: createFileStorage(config.documents.dir),
  };
}

/** Flushes buffered audit entries and logs, then closes the database. */
export async function closeDeps(deps: Deps) {
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
  app.use(
    `${API_PREFIX}/*`,
    (c, next) =>
      /^multipart\/form-data/i.test(c.req.header("content-type") ?? "")
        ? uploadLimit(c, next)
        : jsonLimit(c, next),
  );

  const api = new OpenAPIHono<AppEnv>();
  api.route("/", systemModule());
  api.route("/", authModule());
  api.route("/", organizationsModule());
  api.route("/", facilitiesModule());
  api.route("/", usersModule());
  // Fixed paths (/patients/stats, /patients/export, /patients/import) before /patients/{id}.
  api.route("/", patientSearchModule());
  api.route("/", patientTransferModule());
  api.route("/", patientsModule());
  api.route("/", patientDuplicatesModule());
  api.route("/", patientClinicalModule());
  api.route("/", patientDocumentsModule());
  api.route("/", auditModule());
  app.route(API_PREFIX, api);

  app.openAPIRegistry.register("Problem", ProblemSchema);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "The accessToken from POST /api/v1/auth/login.",
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
