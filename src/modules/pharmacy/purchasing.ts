/**
 * Purchasing: suppliers and purchase orders, draft → sent → partially received → received →
 * closed (or cancelled while nothing has arrived). Goods received against an order (receipts in
 * service.ts) count against its lines; receiving more than ordered needs a reason.
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import { nextSequence } from "../../../db/changes.ts";
import {
  medications,
  purchaseOrderLines,
  purchaseOrders,
  suppliers,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, notFound, unprocessable } from "../../lib/errors.ts";
import { numberingSite } from "../../lib/site.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday } from "../patients/mod.ts";
import type { PurchaseOrderInput, SupplierInput } from "./schemas-purchasing.ts";
import { storeFor } from "./store-of.ts";

type OrderRow = typeof purchaseOrders.$inferSelect;
type LineRow = typeof purchaseOrderLines.$inferSelect;

export const toSupplier = (s: typeof suppliers.$inferSelect) => ({
  id: s.id,
  name: s.name,
  phone: s.phone,
  email: s.email,
  address: s.address,
  active: s.active,
  version: s.version,
  createdAt: s.createdAt,
});

export const toOrder = (o: OrderRow, lines: LineRow[]) => ({
  id: o.id,
  number: o.number,
  supplierId: o.supplierId,
  storeId: o.storeId,
  status: o.status as "draft" | "sent" | "partially_received" | "received" | "closed" | "cancelled",
  sentAt: o.sentAt,
  closedAt: o.closedAt,
  notes: o.notes,
  lines: lines.map((l) => ({
    id: l.id,
    medicationId: l.medicationId,
    quantity: l.quantity,
    unitCost: l.unitCost,
    received: l.received,
  })),
  version: o.version,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

export async function createSupplier(deps: Deps, a: Actor, input: z.infer<typeof SupplierInput>) {
  return await deps.db.transaction(async (tx) => {
    const row = await insertTracked(tx, suppliers, {
      ...stamp(a.orgId, a.userId, deps.clock.now().toISOString()),
      name: input.name,
      phone: input.phone ?? null,
      email: input.email ?? null,
      address: input.address ?? null,
    });
    await deps.audit.record(tx, a, {
      action: "supplier.create",
      entityType: "supplier",
      entityId: row.id,
    });
    return toSupplier(row);
  });
}

export async function listSuppliers(deps: Deps, a: Actor) {
  const rows = await deps.db.db.select().from(suppliers)
    .where(and(eq(suppliers.orgId, a.orgId), isNull(suppliers.deletedAt)))
    .orderBy(asc(suppliers.name)).limit(1000);
  return { data: rows.map(toSupplier) };
}

export const linesOf = (db: Db, orderId: string) =>
  db.select().from(purchaseOrderLines).where(and(
    eq(purchaseOrderLines.orderId, orderId),
    isNull(purchaseOrderLines.deletedAt),
  )).orderBy(asc(purchaseOrderLines.createdAt), asc(purchaseOrderLines.id));

export async function createOrder(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof PurchaseOrderInput>,
) {
  const site = numberingSite(deps);
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const problems: FieldError[] = [];
    if (!(await findInTenant(tx, suppliers, a.orgId, input.supplierId))) {
      problems.push({ path: "supplierId", in: "body", message: "is not a supplier here" });
    }
    for (const [i, line] of input.lines.entries()) {
      if (!(await findInTenant(tx, medications, a.orgId, line.medicationId))) {
        problems.push({
          path: `lines.${i}.medicationId`,
          in: "body",
          message: "not in the catalogue",
        });
      }
    }
    if (problems.length) throw unprocessable("The order names unknown things.", problems);
    const store = await storeFor(deps, tx, a, input.storeId);
    const year = (await clinicToday(deps, tx, a.orgId)).slice(0, 4);
    const n = await nextSequence(tx, a.orgId, site ? `po:${site}:${year}` : `po:${year}`);
    const order = await insertTracked(tx, purchaseOrders, {
      ...stamp(a.orgId, a.userId, at),
      number: `PO-${site ? `${site}-` : ""}${year}-${String(n).padStart(4, "0")}`,
      supplierId: input.supplierId,
      storeId: store.id,
      status: "draft",
      notes: input.notes ?? null,
    });
    const lines: LineRow[] = [];
    for (const line of input.lines) {
      lines.push(
        await insertTracked(tx, purchaseOrderLines, {
          ...stamp(a.orgId, a.userId, at),
          orderId: order.id,
          medicationId: line.medicationId,
          quantity: line.quantity,
          unitCost: line.unitCost,
        }),
      );
    }
    await deps.audit.record(tx, a, {
      action: "purchase-order.create",
      entityType: "purchase-order",
      entityId: order.id,
    });
    return toOrder(order, lines);
  });
}

export async function readOrder(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const order = await findInTenant(db, purchaseOrders, a.orgId, id);
  if (!order) throw notFound("Purchase order");
  return toOrder(order, await linesOf(db, id));
}

const NEXT: Record<string, { from: string[]; set: (at: string) => Partial<OrderRow> }> = {
  send: { from: ["draft"], set: (at) => ({ status: "sent", sentAt: at }) },
  close: {
    from: ["received", "partially_received"],
    set: (at) => ({ status: "closed", closedAt: at }),
  },
  cancel: { from: ["draft", "sent"], set: (at) => ({ status: "cancelled", closedAt: at }) },
};

/** send, close or cancel; any other move answers 409 naming the status. */
export async function moveOrder(
  deps: Deps,
  a: Actor,
  id: string,
  step: "send" | "close" | "cancel",
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: purchaseOrders,
      label: "Purchase order",
      id,
      expectedVersion: undefined,
      action: `purchase-order.${step}`,
      entityType: "purchase-order",
      fields: ["status"],
      check: (before) => {
        if (!NEXT[step].from.includes(before.status)) {
          throw conflict(
            `A ${before.status.replaceAll("_", " ")} order cannot be ${
              step === "send" ? "sent" : `${step}d`
            }.`,
            {
              state: before.status,
            },
          );
        }
      },
      set: NEXT[step].set(at),
    });
    return toOrder(row, await linesOf(tx, id));
  });
}

/**
 * Counts received goods against the order's lines, in the receipt's transaction: the order must
 * be sent (or partly received), each medication on it, and anything above the ordered quantity
 * needs the receipt's reason. Moves the order to partially received or received.
 */
export async function receiveAgainstOrder(
  deps: Deps,
  tx: Db,
  a: Actor,
  orderId: string,
  items: { medicationId: string; quantity: number }[],
  reason: string | undefined,
) {
  const order = await findInTenant(tx, purchaseOrders, a.orgId, orderId);
  if (!order) {
    throw unprocessable("Unknown purchase order.", [
      { path: "purchaseOrderId", in: "body", message: "is not an order of this organisation" },
    ]);
  }
  if (!["sent", "partially_received"].includes(order.status)) {
    throw conflict(`Goods are received against a sent order; ${order.number} is ${order.status}.`, {
      state: order.status,
    });
  }
  const lines = await linesOf(tx, orderId);
  const at = deps.clock.now().toISOString();
  for (const [i, item] of items.entries()) {
    const line = lines.find((l) => l.medicationId === item.medicationId);
    if (!line) {
      throw unprocessable("Not on the order.", [
        { path: `items.${i}.medicationId`, in: "body", message: `is not on ${order.number}` },
      ]);
    }
    const received = line.received + item.quantity;
    if (received > line.quantity && !reason) {
      throw unprocessable("A receipt above the order needs a reason.", [{
        path: "reason",
        in: "body",
        message: `${received} received of ${line.quantity} ordered on ${order.number}`,
      }]);
    }
    await auditedUpdate(deps, tx, a, {
      table: purchaseOrderLines,
      label: "Order line",
      id: line.id,
      expectedVersion: undefined,
      action: "purchase-order-line.receive",
      entityType: "purchase-order-line",
      set: { received },
    });
    line.received = received;
  }
  const complete = lines.every((l) => l.received >= l.quantity);
  const status = complete ? "received" : "partially_received";
  if (status !== order.status) {
    await auditedUpdate(deps, tx, a, {
      table: purchaseOrders,
      label: "Purchase order",
      id: orderId,
      expectedVersion: undefined,
      action: "purchase-order.receive",
      entityType: "purchase-order",
      fields: ["status"],
      set: { status },
    });
  }
  return { supplierId: order.supplierId, storeId: order.storeId, at };
}
