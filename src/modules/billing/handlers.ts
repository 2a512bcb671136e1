import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import { createCreditNote } from "./credit-notes.ts";
import * as invoices from "./invoices.ts";
import * as prices from "./prices.ts";
import * as routes from "./routes.ts";

export function registerBillingHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createPrice, async (c) => {
    const p = await prices.createPrice(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, p, `/prices/${p.id}`);
  });
  r.openapi(
    routes.listPrices,
    async (c) =>
      c.json(await prices.listPrices(c.get("deps"), actorOf(c), c.req.valid("query")), 200),
  );
  r.openapi(
    routes.readPrice,
    async (c) =>
      withEtag(c, await prices.readPrice(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.updatePrice, async (c) =>
    withEtag(
      c,
      await prices.updatePrice(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        ifMatch(c),
        c.req.valid("json"),
      ),
    ));

  r.openapi(routes.createInvoice, async (c) => {
    const inv = await invoices.createManualInvoice(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, inv, `/invoices/${inv.id}`);
  });
  r.openapi(routes.listInvoices, async (c) =>
    c.json(
      await invoices.listInvoices(c.get("deps"), actorOf(c), c.req.valid("query")),
      200,
    ));
  r.openapi(
    routes.readInvoice,
    async (c) =>
      withEtag(c, await invoices.readInvoice(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.addLines, async (c) =>
    withEtag(
      c,
      await invoices.addLines(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").lines,
      ),
    ));
  r.openapi(
    routes.issueInvoice,
    async (c) =>
      withEtag(c, await invoices.issueInvoice(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.voidInvoice, async (c) =>
    withEtag(
      c,
      await invoices.voidInvoice(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").reason,
      ),
    ));
  r.openapi(routes.discountInvoice, async (c) =>
    withEtag(
      c,
      await invoices.discountInvoice(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
  r.openapi(routes.waiveLine, async (c) => {
    const { id, lineId } = c.req.valid("param");
    return withEtag(
      c,
      await invoices.waiveInvoiceLine(
        c.get("deps"),
        actorOf(c),
        id,
        lineId,
        c.req.valid("json").reason,
      ),
    );
  });
  r.openapi(routes.createCreditNote, async (c) => {
    const id = c.req.valid("param").id;
    const note = await createCreditNote(c.get("deps"), actorOf(c), id, c.req.valid("json"));
    return created(c, note, `/invoices/${id}`);
  });
  r.openapi(routes.invoicePdf, async (c) => {
    // pdf-lib loads on the first print, not at start (~0.3 s of a cold start).
    const { invoicePdf } = await import("./invoice-pdf.ts");
    const { number, bytes } = await invoicePdf(c.get("deps"), actorOf(c), c.req.valid("param").id);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="${number}.pdf"`,
      "Cache-Control": "private, no-store",
    });
  });
}
