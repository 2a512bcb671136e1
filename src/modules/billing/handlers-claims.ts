import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, withEtag } from "../../lib/http.ts";
import * as claims from "./claims.ts";
import { asCsv, asXlsx, XLSX_TYPE } from "../../lib/report-files.ts";
import * as routes from "./routes-claims.ts";

export function registerClaimHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createClaim, async (c) => {
    const claim = await claims.createClaim(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, claim, `/claims/${claim.id}`);
  });
  r.openapi(
    routes.listClaims,
    async (c) => c.json(await claims.listClaims(c.get("deps"), actorOf(c), c.req.valid("query"))),
  );
  r.openapi(
    routes.readClaim,
    async (c) =>
      withEtag(c, await claims.readClaim(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(
    routes.submitClaim,
    async (c) =>
      withEtag(c, await claims.submitClaim(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.decideClaim, async (c) =>
    withEtag(
      c,
      await claims.decideClaim(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
  r.openapi(routes.payClaim, async (c) =>
    withEtag(
      c,
      await claims.payClaim(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").amount,
      ),
    ));
  r.openapi(routes.exportClaim, async (c) => {
    const { claim, rows } = await claims.claimRows(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
    );
    if (c.req.valid("query").format === "xlsx") {
      return c.body((await asXlsx(rows, claim.number)) as Uint8Array<ArrayBuffer>, 200, {
        "Content-Type": XLSX_TYPE,
        "Content-Disposition": `attachment; filename="${claim.number}.xlsx"`,
      }) as never;
    }
    return c.body(asCsv(rows), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${claim.number}.csv"`,
    }) as never;
  });
}
