import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, withEtag } from "../../lib/http.ts";
import { prescriptionQueue } from "./queue.ts";
import * as routes from "./routes-sessions.ts";
import * as sessions from "./sessions.ts";

export function registerSessionsHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(
    routes.queue,
    async (c) =>
      c.json(await prescriptionQueue(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(routes.openSession, async (c) => {
    const s = await sessions.openSession(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, s, `/dispensing-sessions/${s.id}`);
  });
  r.openapi(
    routes.readSession,
    async (c) =>
      withEtag(c, await sessions.readSession(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.scan, async (c) => {
    const { id } = c.req.valid("param");
    return withEtag(c, await sessions.scanInto(c.get("deps"), actorOf(c), id, c.req.valid("json")));
  });
  r.openapi(routes.removeLine, async (c) => {
    const { id } = c.req.valid("param");
    const { medicationId } = c.req.valid("json");
    return withEtag(c, await sessions.removeLine(c.get("deps"), actorOf(c), id, medicationId));
  });
  r.openapi(routes.complete, async (c) => {
    const { id } = c.req.valid("param");
    const d = await sessions.completeSession(c.get("deps"), actorOf(c), id, c.req.valid("json"));
    return created(c, d, `/dispensations/${d.id}`);
  });
  r.openapi(
    routes.abandon,
    async (c) =>
      withEtag(
        c,
        await sessions.abandonSession(c.get("deps"), actorOf(c), c.req.valid("param").id),
      ),
  );
}
