import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as history from "./service.ts";

export function registerMedicalHistoryHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.list, async (c) =>
    c.json(
      await history.listHistoryEntries(
        c.var.deps,
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("query"),
      ),
      200,
    ));
  r.openapi(routes.create, async (c) => {
    const { id } = c.req.valid("param");
    const e = await history.addHistoryEntry(c.var.deps, actorOf(c), id, c.req.valid("json"));
    return created(c, e, `/patients/${id}/medical-history/${e.id}`);
  });
  r.openapi(routes.update, async (c) => {
    const { id, entryId } = c.req.valid("param");
    const target = { patientId: id, entryId, expectedVersion: ifMatch(c) };
    return withEtag(
      c,
      await history.updateHistoryEntry(c.var.deps, actorOf(c), target, c.req.valid("json")),
    );
  });
  r.openapi(routes.remove, async (c) => {
    const { id, entryId } = c.req.valid("param");
    const target = { patientId: id, entryId, expectedVersion: ifMatch(c) };
    await history.removeHistoryEntry(c.var.deps, actorOf(c), target);
    return c.body(null, 204);
  });
  r.openapi(routes.versions, async (c) => {
    const { id, entryId } = c.req.valid("param");
    return c.json(
      await history.historyEntryVersions(c.var.deps, actorOf(c), id, entryId, c.req.valid("query")),
      200,
    );
  });
}
