import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, withEtag } from "../../lib/http.ts";
import * as cashUps from "./cash-ups.ts";
import { readCredit } from "./credit.ts";
import * as expenses from "./expenses.ts";
import * as payments from "./payments.ts";
import * as refunds from "./refunds.ts";
import * as routes from "./routes-cash.ts";
import { registerClaimHandlers } from "./handlers-claims.ts";
import { registerDashboardHandlers } from "./handlers-dashboard.ts";
import { registerReportHandlers } from "./handlers-reports.ts";

export function registerCashHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.createPayment, async (c) => {
    const p = await payments.createPayment(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, p, `/payments/${p.id}`);
  });
  r.openapi(
    routes.listPayments,
    async (c) =>
      c.json(await payments.listPayments(c.get("deps"), actorOf(c), c.req.valid("query"))),
  );
  r.openapi(
    routes.readPayment,
    async (c) =>
      withEtag(c, await payments.readPayment(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.paymentReceipt, async (c) => {
    // pdf-lib loads on the first print, not at start (~0.3 s of a cold start).
    const { receiptPdf } = await import("./receipt-pdf.ts");
    const { bytes, receiptNumber } = await receiptPdf(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
    );
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="${receiptNumber}.pdf"`,
    }) as never;
  });
  r.openapi(routes.reversePayment, async (c) => {
    const p = await payments.reversePayment(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json").reason,
    );
    return created(c, p, `/payments/${p.id}`);
  });
  r.openapi(routes.requestRefund, async (c) => {
    const f = await refunds.requestRefund(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return created(c, f, `/refunds/${f.id}`);
  });
  r.openapi(
    routes.listRefunds,
    async (c) => c.json(await refunds.listRefunds(c.get("deps"), actorOf(c), c.req.valid("query"))),
  );
  r.openapi(
    routes.readRefund,
    async (c) =>
      withEtag(c, await refunds.readRefund(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  for (
    const [route, decision] of [[routes.approveRefund, "approve"], [
      routes.rejectRefund,
      "reject",
    ]] as const
  ) {
    r.openapi(route, async (c) =>
      withEtag(
        c,
        await refunds.decideRefund(
          c.get("deps"),
          actorOf(c),
          c.req.valid("param").id,
          decision,
          c.req.valid("json").note,
        ),
      ));
  }
  r.openapi(
    routes.readCredit,
    async (c) =>
      c.json(await readCredit(c.get("deps"), actorOf(c), c.req.valid("query").patientId), 200),
  );
  r.openapi(routes.closeDay, async (c) => {
    const row = await cashUps.closeDay(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, row, `/cash-ups/${row.id}`);
  });
  r.openapi(
    routes.listCashUps,
    async (c) => c.json(await cashUps.listCashUps(c.get("deps"), actorOf(c), c.req.valid("query"))),
  );
  r.openapi(
    routes.readCashUp,
    async (c) =>
      withEtag(c, await cashUps.readCashUp(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(
    routes.signOffCashUp,
    async (c) =>
      withEtag(
        c,
        await cashUps.signOff(
          c.get("deps"),
          actorOf(c),
          c.req.valid("param").id,
          c.req.valid("json").note,
        ),
      ),
  );
  r.openapi(routes.recordExpense, async (c) => {
    const e = await expenses.recordExpense(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, e, `/expenses/${e.id}`);
  });
  r.openapi(
    routes.listExpenses,
    async (c) =>
      c.json(await expenses.listExpenses(c.get("deps"), actorOf(c), c.req.valid("query"))),
  );
  registerClaimHandlers(r);
  registerDashboardHandlers(r);
  registerReportHandlers(r);
}
