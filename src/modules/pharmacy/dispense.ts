/**
 * Dispensing: medicines handed over against a prescription, or over the counter. Batches are
 * taken first-expiry-first-out (preferring those that last the whole course), an expired batch
 * never; stock is checked and taken in the write transaction, so racing dispenses never take it
 * below zero. More than prescribed, or a prescription-only medicine without a prescription,
 * needs an override with a reason by someone allowed to (pharmacy:override).
 */
import type { z } from "@hono/zod-openapi";
import { and, asc, eq, getTableColumns, gte, inArray, isNull, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import {
  dispensationItems,
  dispensations,
  medications,
  prescriptionItems,
  prescriptions,
  stockBalances,
  stockBatches,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, forbidden, notFound, unprocessable } from "../../lib/errors.ts";
import { addDays } from "../../lib/time.ts";
import { emit } from "../../lib/events.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday } from "../patients/mod.ts";
import { detectForMovements, type MovedRow } from "./findings/detect.ts";
import { move } from "./ledger.ts";
import type { DispenseInput } from "./schemas.ts";
import { batchRef, medicationByCode, storeFor } from "./service.ts";
import { orgCurrency } from "../organizations/mod.ts";

type Input = z.infer<typeof DispenseInput>;
type RxItem = typeof prescriptionItems.$inferSelect;

const field = (path: string, message: string): FieldError => ({ path, in: "body", message });

type BatchRow = typeof stockBatches.$inferSelect;
// Every item dispensed asks: built once.
const dispensableBatches = prepared<BatchRow & { onHand: number }>(
  new QueryBuilder().select({ ...getTableColumns(stockBatches), onHand: stockBalances.quantity })
    .from(stockBatches).innerJoin(stockBalances, eq(stockBalances.batchId, stockBatches.id))
    .where(and(
      eq(stockBatches.orgId, sql.placeholder("orgId")),
      eq(stockBatches.storeId, sql.placeholder("storeId")),
      eq(stockBatches.medicationId, sql.placeholder("medicationId")),
      gte(stockBatches.expiryDate, sql.placeholder("today")),
      sql`${stockBalances.quantity} > 0`,
    )).orderBy(asc(stockBatches.expiryDate), asc(stockBatches.id)),
);

/** The batches of a medication in a store that may be dispensed, in the order to take them. */
async function fefo(
  tx: Db,
  orgId: string,
  storeId: string,
  medicationId: string,
  today: string,
  courseEnd: string | null,
) {
  const rows = (await dispensableBatches.all(tx, { orgId, storeId, medicationId, today }))
    .map(({ onHand, ...batch }) => ({ batch: batch as BatchRow, onHand }));
  if (!courseEnd) return rows;
  // Those that last until the end of the course first, each group first-expiry-first.
  return [
    ...rows.filter((r) => r.batch.expiryDate >= courseEnd),
    ...rows.filter((r) => r.batch.expiryDate < courseEnd),
  ];
}

export async function dispense(deps: Deps, a: Actor, input: Input) {
  return await deps.db.transaction((tx) => dispenseIn(deps, tx, a, input));
}

/** Dispenses inside the caller's write transaction (a dispensing session completes this way). */
export async function dispenseIn(deps: Deps, tx: Db, a: Actor, input: Input) {
  const at = deps.clock.now().toISOString();
  const overriding = !!input.override;
  if (overriding && !deps.registry.permissions.can(a.role, "pharmacy:override")) {
    throw forbidden("An override needs the pharmacy:override permission.");
  }
  const store = await storeFor(deps, tx, a, input.storeId);
  const today = await clinicToday(deps, tx, a.orgId);
  let rx: typeof prescriptions.$inferSelect | undefined;
  let rxItems: RxItem[] = [];
  const given = new Map<string, number>();
  if (input.prescriptionId) {
    rx = await findInTenant(tx, prescriptions, a.orgId, input.prescriptionId);
    if (!rx) {
      throw unprocessable("Unknown prescription.", [
        field("prescriptionId", "is not a prescription of this organisation"),
      ]);
    }
    if (!["active", "partially_dispensed"].includes(rx.status)) {
      throw conflict(
        `${rx.number} is ${rx.status.replaceAll("_", " ")}: nothing more is dispensed from it.`,
        {
          state: rx.status,
        },
      );
    }
    if (rx.validUntil < today) {
      throw conflict(`The prescription expired on ${rx.validUntil}.`, { state: "expired" });
    }
    if (input.patientId && input.patientId !== rx.patientId) {
      throw unprocessable("The prescription is another patient's.", [
        field("patientId", "is not the prescription's patient"),
      ]);
    }
    rxItems = (await tx.select().from(prescriptionItems).where(and(
      eq(prescriptionItems.prescriptionId, rx.id),
      isNull(prescriptionItems.deletedAt),
    ))).sort((x, y) => x.position - y.position);
    const already = await tx.select({
      item: dispensationItems.prescriptionItemId,
      quantity: sql<number>`sum(${dispensationItems.quantity})`,
    }).from(dispensationItems).where(
      inArray(dispensationItems.prescriptionItemId, rxItems.map((i) => i.id)),
    )
      .groupBy(dispensationItems.prescriptionItemId);
    for (const r of already) given.set(r.item!, Number(r.quantity));
  }
  const patientId = rx?.patientId ?? input.patientId ?? null;
  const problems: FieldError[] = [];
  const lines: {
    med: typeof medications.$inferSelect;
    quantity: number;
    rxItem?: RxItem;
    code?: string;
    substitution?: string;
  }[] = [];
  for (const [i, item] of input.items.entries()) {
    const med = item.medicationId
      ? await findInTenant(tx, medications, a.orgId, item.medicationId)
      : await medicationByCode(tx, a.orgId, item.code!);
    if (!med) {
      problems.push(
        field(
          `items.${i}.${item.medicationId ? "medicationId" : "code"}`,
          "is not in the catalogue",
        ),
      );
      continue;
    }
    lines.push({
      med,
      quantity: item.quantity,
      code: item.code,
      substitution: item.substitutionReason,
    });
  }
  if (problems.length) throw unprocessable("Some items are not known.", problems);

  for (const [i, line] of lines.entries()) {
    if (rx) {
      // The catalogue medication prescribed, else any product of the prescribed generic.
      const rxItem = rxItems.find((r) => r.medicationId === line.med.id) ??
        rxItems.find((r) => r.genericName.toLowerCase() === line.med.genericName.toLowerCase());
      if (!rxItem) {
        throw conflict(
          `${line.med.name} (${line.med.genericName}) is not on prescription ${rx.number}.`,
          {
            item: i,
            prescribed: rxItems.map((r) => r.genericName),
          },
        );
      }
      if (rxItem.medicationId && rxItem.medicationId !== line.med.id && !line.substitution) {
        throw unprocessable(
          `${rxItem.medication} was prescribed: handing over ${line.med.name} instead needs a ` +
            "reason.",
          [field(`items.${i}.substitutionReason`, "is required to substitute a product")],
        );
      }
      line.rxItem = rxItem;
      const remaining = rxItem.quantity - (given.get(rxItem.id) ?? 0);
      if (line.quantity > remaining && !overriding) {
        throw conflict(
          `Only ${remaining} of ${rxItem.genericName} remain to dispense on ${rx.number}.`,
          {
            item: i,
            remaining,
          },
        );
      }
      given.set(rxItem.id, (given.get(rxItem.id) ?? 0) + line.quantity);
    } else if (line.med.prescriptionRequired && !overriding) {
      throw conflict(`${line.med.name} needs a prescription.`, { item: i });
    }
  }

  const dispensationId = crypto.randomUUID();
  const taken: {
    med: typeof medications.$inferSelect;
    batch: typeof stockBatches.$inferSelect;
    quantity: number;
    line: typeof lines[number];
  }[] = [];
  const moved: MovedRow[] = [];
  for (const [i, line] of lines.entries()) {
    const courseEnd = line.rxItem?.durationDays ? addDays(today, line.rxItem.durationDays) : null;
    const batches = await fefo(tx, a.orgId, store.id, line.med.id, today, courseEnd);
    const available = batches.reduce((s, b) => s + b.onHand, 0);
    if (available < line.quantity) {
      throw conflict(
        `Not enough ${line.med.name} in stock: ${available} ${line.med.unit} left.`,
        {
          item: i,
          medicationId: line.med.id,
          requested: line.quantity,
          available,
        },
      );
    }
    let left = line.quantity;
    for (const b of batches) {
      if (left === 0) break;
      const q = Math.min(left, b.onHand);
      const m = await move(tx, batchRef(b.batch), {
        type: "dispense",
        quantity: -q,
        actorId: a.userId,
        at,
        reason: input.override?.reason ?? line.substitution ?? null,
        scannedCode: line.code ?? null,
        documentType: "dispensation",
        documentId: dispensationId,
        patientId,
      });
      if (!m) throw conflict(`Not enough ${line.med.name} in stock.`, { item: i });
      moved.push(m);
      taken.push({ med: line.med, batch: b.batch, quantity: q, line });
      left -= q;
    }
  }
  const currency = await orgCurrency(tx, a.orgId);
  const total = taken.reduce((s, t) => s + t.quantity * t.med.unitPrice, 0);
  const row = await insertTracked(tx, dispensations, {
    ...stamp(a.orgId, a.userId, at, dispensationId),
    prescriptionId: rx?.id ?? null,
    patientId,
    storeId: store.id,
    overrideReason: input.override?.reason ?? null,
    total,
    currency,
    at,
  });
  const itemRows = [];
  for (const t of taken) {
    const item = await insertTracked(tx, dispensationItems, {
      ...stamp(a.orgId, a.userId, at),
      dispensationId,
      prescriptionItemId: t.line.rxItem?.id ?? null,
      medicationId: t.med.id,
      batchId: t.batch.id,
      quantity: t.quantity,
      unitPrice: t.med.unitPrice,
      substitutionReason: t.line.substitution ?? null,
    });
    itemRows.push({
      dispensationItemId: item.id,
      medicationId: t.med.id,
      name: t.med.name,
      quantity: t.quantity,
      unitPrice: t.med.unitPrice,
    });
  }
  let prescriptionStatus: string | null = null;
  if (rx) {
    const complete = rxItems.every((r) => (given.get(r.id) ?? 0) >= r.quantity);
    prescriptionStatus = complete ? "dispensed" : "partially_dispensed";
    if (prescriptionStatus !== rx.status) {
      await auditedUpdate(deps, tx, a, {
        table: prescriptions,
        label: "Prescription",
        id: rx.id,
        expectedVersion: undefined,
        action: "prescription.dispense",
        entityType: "prescription",
        patientId: rx.patientId,
        fields: ["status"],
        set: { status: prescriptionStatus },
      });
    }
  }
  // The theft-and-loss rules see the dispensation whole (its prescription, its items).
  await detectForMovements(deps, tx, a, moved);
  await emit(deps, tx, a, "dispensation.created", {
    dispensationId,
    patientId,
    prescriptionId: rx?.id ?? null,
    encounterId: rx?.encounterId ?? null,
    overTheCounter: !rx,
    currency,
    items: itemRows,
  });
  await deps.audit.record(tx, a, {
    action: "dispensation.create",
    entityType: "dispensation",
    entityId: dispensationId,
    patientId,
  });
  return {
    id: row.id,
    prescriptionId: row.prescriptionId,
    prescriptionStatus,
    patientId: row.patientId,
    storeId: row.storeId,
    total,
    currency,
    overrideReason: row.overrideReason,
    items: taken.map((t) => ({
      medicationId: t.med.id,
      batchId: t.batch.id,
      batchNumber: t.batch.batchNumber,
      expiryDate: t.batch.expiryDate,
      quantity: t.quantity,
      unitPrice: t.med.unitPrice,
    })),
    at,
    version: row.version,
  };
}

export async function readDispensation(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const d = await findInTenant(db, dispensations, a.orgId, id);
  if (!d) throw notFound("Dispensation");
  const items = await db.select({ item: dispensationItems, batch: stockBatches })
    .from(dispensationItems).innerJoin(stockBatches, eq(stockBatches.id, dispensationItems.batchId))
    .where(eq(dispensationItems.dispensationId, id));
  let prescriptionStatus: string | null = null;
  if (d.prescriptionId) {
    prescriptionStatus =
      (await findInTenant(db, prescriptions, a.orgId, d.prescriptionId))?.status ??
        null;
  }
  if (d.patientId) {
    deps.audit.recordRead(a, {
      action: "dispensation.read",
      entityType: "dispensation",
      entityId: id,
      patientId: d.patientId,
    });
  }
  return {
    id: d.id,
    prescriptionId: d.prescriptionId,
    prescriptionStatus,
    patientId: d.patientId,
    storeId: d.storeId,
    total: d.total,
    currency: d.currency,
    overrideReason: d.overrideReason,
    items: items.map(({ item, batch }) => ({
      medicationId: item.medicationId,
      batchId: item.batchId,
      batchNumber: batch.batchNumber,
      expiryDate: batch.expiryDate,
      quantity: item.quantity,
      unitPrice: item.unitPrice,
    })),
    at: d.at,
    version: d.version,
  };
}
