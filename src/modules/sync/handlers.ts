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
    const node = await service.registerNode(c.var.deps, actorOf(c), c.req.valid("json"));
    return created(c, node, `/sync/nodes/${node.id}`);
  });
  r.openapi(routes.registerForOrganization, async (c) => {
    const { organizationId, ...input } = c.req.valid("json");
    const p = c.get("principal");
    const node = await service.registerNodeFor(c.var.deps, {
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
      await service.listNodes(c.var.deps.db.db, actorOf(c).orgId, c.req.valid("query")),
      200,
    ));
  r.openapi(
    routes.hello,
    async (c) => c.json(await service.hello(c.var.deps, c.var.node), 200),
  );
  r.openapi(routes.revoke, async (c) =>
    withEtag(
      c,
      await service.revokeNode(c.var.deps, actorOf(c), c.req.valid("param").id, ifMatch(c)),
    ));
  r.openapi(
    routes.push,
    async (c) => c.json(await receivePush(c.var.deps, c.var.node, c.req.valid("json")), 200),
  );
  r.openapi(
    routes.pull,
    async (c) => c.json(await servePull(c.var.deps, c.var.node, c.req.valid("query")), 200),
  );
  r.openapi(routes.run, async (c) => c.json(await runNow(c.var.deps), 200));
  r.openapi(routes.status, async (c) => c.json(await syncStatus(c.var.deps, actorOf(c)), 200));
  r.openapi(
    routes.conflicts,
    async (c) => c.json(await listConflicts(c.var.deps, actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(routes.resolve, async (c) =>
    withEtag(
      c,
      await resolveConflict(
        c.var.deps,
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").choice,
        ifMatch(c),
      ),
    ));
  r.openapi(
    routes.fileState,
    async (c) => c.json(await uploadState(c.var.deps, c.var.node, c.req.valid("param").id), 200),
  );
  r.openapi(routes.filePart, async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const state = await receivePart(
      c.var.deps,
      c.var.node,
      c.req.valid("param").id,
      c.req.valid("query").offset,
      bytes,
    );
    return c.json(state, 200);
  });
  r.openapi(routes.file, async (c) => {
    const { row, stream } = await serveFile(c.var.deps, c.var.node, c.req.valid("param").id);
    return c.body(stream, 200, {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(row.sizeBytes),
    });
  });
}
