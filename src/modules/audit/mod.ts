import { actorOf } from "../../lib/context.ts";
import { createRouter } from "../../lib/router.ts";
import * as routes from "./routes.ts";
import { listAuditEvents } from "./service.ts";

export function auditModule() {
  const r = createRouter();
  r.openapi(routes.list, async (c) => {
    const page = await listAuditEvents(c.var.deps.db.db, actorOf(c).orgId, c.req.valid("query"));
    return c.json(
      { data: page.data.map(({ orgId: _o, ...e }) => e), nextCursor: page.nextCursor },
      200,
    );
  });
  return r;
}
