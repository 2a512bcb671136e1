import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { expectedVersion } from "../../lib/openapi.ts";
import * as allergyRoutes from "./allergy-routes.ts";
import * as allergies from "./allergy-service.ts";
import * as historyRoutes from "./medical-history-routes.ts";
import * as history from "./medical-history-service.ts";
import * as recordRoutes from "./record-routes.ts";
import * as record from "./record-history-service.ts";
import { patientSummary } from "./summary-service.ts";

const etag = (v: { version: number }) => ({ ETag: `"${v.version}"` });

export function registerAllergyHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(allergyRoutes.list, async (c) => {
    const page = await allergies.listAllergies(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
  r.openapi(allergyRoutes.create, async (c) => {
    const { id } = c.req.valid("param");
    const a = await allergies.addAllergy(c.var.deps, actorOf(c), id, c.req.valid("json"));
    return c.json(a, 201, { ...etag(a), Location: `/api/v1/patients/${id}/allergies/${a.id}` });
  });
  r.openapi(allergyRoutes.update, async (c) => {
    const { id, allergyId } = c.req.valid("param");
    const a = await allergies.updateAllergy(c.var.deps, actorOf(c), {
      patientId: id,
      entryId: allergyId,
      expectedVersion: expectedVersion(c.req.valid("header")["if-match"]),
    }, c.req.valid("json"));
    return c.json(a, 200, etag(a));
  });
  r.openapi(allergyRoutes.remove, async (c) => {
    const { id, allergyId } = c.req.valid("param");
    await allergies.removeAllergy(c.var.deps, actorOf(c), {
      patientId: id,
      entryId: allergyId,
      expectedVersion: expectedVersion(c.req.valid("header")["if-match"]),
    });
    return c.body(null, 204);
  });
  r.openapi(allergyRoutes.versions, async (c) => {
    const { id, allergyId } = c.req.valid("param");
    const page = await allergies.allergyVersions(
      c.var.deps,
      actorOf(c),
      id,
      allergyId,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
}

export function registerMedicalHistoryHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(historyRoutes.list, async (c) => {
    const page = await history.listHistoryEntries(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
  r.openapi(historyRoutes.create, async (c) => {
    const { id } = c.req.valid("param");
    const e = await history.addHistoryEntry(c.var.deps, actorOf(c), id, c.req.valid("json"));
    return c.json(e, 201, {
      ...etag(e),
      Location: `/api/v1/patients/${id}/medical-history/${e.id}`,
    });
  });
  r.openapi(historyRoutes.update, async (c) => {
    const { id, entryId } = c.req.valid("param");
    const e = await history.updateHistoryEntry(c.var.deps, actorOf(c), {
      patientId: id,
      entryId,
      expectedVersion: expectedVersion(c.req.valid("header")["if-match"]),
    }, c.req.valid("json"));
    return c.json(e, 200, etag(e));
  });
  r.openapi(historyRoutes.remove, async (c) => {
    const { id, entryId } = c.req.valid("param");
    await history.removeHistoryEntry(c.var.deps, actorOf(c), {
      patientId: id,
      entryId,
      expectedVersion: expectedVersion(c.req.valid("header")["if-match"]),
    });
    return c.body(null, 204);
  });
  r.openapi(historyRoutes.versions, async (c) => {
    const { id, entryId } = c.req.valid("param");
    const page = await history.historyEntryVersions(
      c.var.deps,
      actorOf(c),
      id,
      entryId,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
}

export function registerRecordHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(recordRoutes.history, async (c) => {
    const page = await record.listRecordVersions(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
  r.openapi(recordRoutes.historyVersion, async (c) => {
    const { id, version } = c.req.valid("param");
    return c.json(await record.readRecordVersion(c.var.deps, actorOf(c), id, version), 200);
  });
  r.openapi(recordRoutes.summary, async (c) => {
    const result = await patientSummary(c.var.deps, actorOf(c), c.req.valid("param").id);
    if (result.merged) {
      return c.json({ mergedInto: result.mergedInto }, 307, {
        Location: `/api/v1/patients/${result.mergedInto}/summary`,
      });
    }
    return c.json(result.body as never, 200);
  });
}
