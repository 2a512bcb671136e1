import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv, requestMeta } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";
import { listConflicts } from "./conflicts.ts";
import { receivePart, serveFile, uploadState } from "./files.ts";
import { receivePush, servePull } from "./primary.ts";
import { resolveConflict } from "./resolve.ts";
import { runNow, syncStatus } from "./status.ts";

export function registerSyncHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.register, async (c) => {
    const node = await service.registerNode(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, node, `/sync/nodes/${node.id}`);
  });
  r.openapi(routes.registerForOrganization, async (c) => {
    const { organizationId, ...input } = c.req.valid("json");
    const p = c.get("principal");
    const node = await service.registerNodeFor(c.get("deps"), {
      userId: p.userId,
      orgId: organizationId,
      role: p.role,
      facilityId: null,
      ...requestMeta(c),
    }, input);
    return created(c, node, `/sync/nodes/${node.id}`);
  });
  r.openapi(routes.list, async (c) =>
    c.json(
      await service.listNodes(c.get("deps").db.db, actorOf(c).orgId, c.req.valid("query")),
      200,
    ));
  r.openapi(
    routes.hello,
    async (c) => c.json(await service.hello(c.get("deps"), c.get("node")), 200),
  );
  r.openapi(routes.revoke, async (c) =>
    withEtag(
      c,
      await service.revokeNode(c.get("deps"), actorOf(c), c.req.valid("param").id, ifMatch(c)),
    ));
  r.openapi(
    routes.push,
    async (c) => c.json(await receivePush(c.get("deps"), c.get("node"), c.req.valid("json")), 200),
  );
  r.openapi(
    routes.pull,
    async (c) => c.json(await servePull(c.get("deps"), c.get("node"), c.req.valid("query")), 200),
  );
  r.openapi(routes.run, async (c) => c.json(await runNow(c.get("deps")), 200));
  r.openapi(routes.status, async (c) => c.json(await syncStatus(c.get("deps"), actorOf(c)), 200));
  r.openapi(
    routes.conflicts,
    async (c) => c.json(await listConflicts(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(routes.resolve, async (c) =>
    withEtag(
      c,
      await resolveConflict(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").choice,
        ifMatch(c),
      ),
    ));
  r.openapi(
    routes.fileState,
    async (c) =>
      c.json(await uploadState(c.get("deps"), c.get("node"), c.req.valid("param").id), 200),
  );
  r.openapi(routes.filePart, async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const state = await receivePart(
      c.get("deps"),
      c.get("node"),
      c.req.valid("param").id,
      c.req.valid("query").offset,
      bytes,
    );
    return c.json(state, 200);
  });
  r.openapi(routes.file, async (c) => {
    const { row, stream } = await serveFile(c.get("deps"), c.get("node"), c.req.valid("param").id);
    return c.body(stream, 200, {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(row.sizeBytes),
    });
  });
}
