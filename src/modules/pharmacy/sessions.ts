/**
 * Dispensing sessions: the pharmacist scans each pack against the prescription (or an
 * over-the-counter sale) and sees the running total and what is still due before handing
 * anything over. A scan never moves stock; completing the session dispenses everything in one
 * transaction (dispense.ts), with every rule of dispensing, so a session cannot get round them.
 *
 * A code that is not on the prescription is refused at the scan with a warning, and the session
 * stays as it was: the pack goes back on the shelf, not into the bag.
 */
import type { z } from "@hono/zod-openapi";
import { and, eq, gte, inArray, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.ts";
import {
  dispensingSessions,
  medications,
  prescriptions,
  stockBalances,
  stockBatches,
} from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { clinicToday } from "../patients/mod.ts";
import { dispenseIn } from "./dispense.ts";
import { dueItems } from "./queue.ts";
import type {
  CompleteInput,
  DispensingSession,
  ScanIntoSession,
  SessionInput,
} from "./schemas-sessions.ts";
import { medicationByCode } from "./service.ts";
import { storeFor } from "./store-of.ts";
import { orgCurrency } from "../organizations/mod.ts";

type SessionRow = typeof dispensingSessions.$inferSelect;
type View = z.infer<typeof DispensingSession>;
type Warning = View["warnings"][number];
type Due = View["due"][number];
type MedRow = typeof medications.$inferSelect;

interface StoredLine {
  medicationId: string;
  code: string | null;
  quantity: number;
  substitutionReason: string | null;
}

const ENTITY = "dispensing-session";

const linesOf = (s: SessionRow) => s.lines as unknown as StoredLine[];

/** The prescription item a medication is dispensed against: the product named, else its generic. */
function itemFor(due: Due[], med: MedRow) {
  return due.find((d) => d.medicationId === med.id) ??
    due.find((d) => d.genericName.toLowerCase() === med.genericName.toLowerCase());
}

async function dueRx(deps: Deps, tx: Db, a: Actor, prescriptionId: string) {
  const rx = await findInTenant(tx, prescriptions, a.orgId, prescriptionId);
  if (!rx) {
    throw unprocessable("Unknown prescription.", [
      { path: "prescriptionId", in: "body", message: "is not a prescription of this organisation" },
    ]);
  }
  if (!["active", "partially_dispensed"].includes(rx.status)) {
    throw conflict(`${rx.number} is ${rx.status.replaceAll("_", " ")}: nothing is due on it.`, {
      state: rx.status,
    });
  }
  if (rx.validUntil < await clinicToday(deps, tx, a.orgId)) {
    throw conflict(`${rx.number} expired on ${rx.validUntil}.`, { state: "expired" });
  }
  return rx;
}

/** Units of each medication that may be dispensed from the store today (unexpired, on hand). */
async function available(tx: Db, orgId: string, storeId: string, ids: string[], today: string) {
  if (!ids.length) return new Map<string, number>();
  const rows = await tx.select({
    medicationId: stockBatches.medicationId,
    quantity: sql<number>`sum(${stockBalances.quantity})`,
  }).from(stockBatches).innerJoin(stockBalances, eq(stockBalances.batchId, stockBatches.id))
    .where(and(
      eq(stockBatches.orgId, orgId),
      eq(stockBatches.storeId, storeId),
      inArray(stockBatches.medicationId, ids),
      gte(stockBatches.expiryDate, today),
      sql`${stockBalances.quantity} > 0`,
    )).groupBy(stockBatches.medicationId);
  return new Map(rows.map((r) => [r.medicationId, Number(r.quantity)]));
}

function warningsOf(
  line: StoredLine,
  med: MedRow,
  due: Due[] | null,
  stock: number,
): Warning[] {
  const out: Warning[] = [];
  const w = (kind: Warning["kind"], message: string) =>
    out.push({ kind, medicationId: med.id, message });
  if (due) {
    const item = itemFor(due, med);
    if (!item) {
      w("not_on_prescription", `${med.name} (${med.genericName}) is not on the prescription.`);
    } else {
      if (line.quantity > item.remaining) {
        w(
          "more_than_prescribed",
          `${line.quantity} ${med.unit} scanned, ${item.remaining} remain to dispense of ` +
            `${item.genericName}: more needs an override with a reason.`,
        );
      }
      if (item.medicationId && item.medicationId !== med.id && !line.substitutionReason) {
        w(
          "substitution",
          `${item.medication} was prescribed; handing over ${med.name} instead needs a reason.`,
        );
      }
    }
  } else if (med.prescriptionRequired) {
    w("prescription_required", `${med.name} needs a prescription, or an override with a reason.`);
  }
  if (line.quantity > stock) {
    w("short_stock", `Only ${stock} ${med.unit} of ${med.name} can be dispensed from this store.`);
  }
  return out;
}

async function view(deps: Deps, tx: Db, a: Actor, s: SessionRow): Promise<View> {
  const lines = linesOf(s);
  const meds = new Map<string, MedRow>();
  if (lines.length) {
    const rows = await tx.select().from(medications).where(and(
      eq(medications.orgId, a.orgId),
      inArray(medications.id, lines.map((l) => l.medicationId)),
    ));
    for (const m of rows) meds.set(m.id, m);
  }
  const today = await clinicToday(deps, tx, a.orgId);
  const stock = await available(tx, a.orgId, s.storeId, [...meds.keys()], today);
  const rx = s.prescriptionId
    ? await findInTenant(tx, prescriptions, a.orgId, s.prescriptionId)
    : undefined;
  const due = rx ? (await dueItems(tx, [rx.id])).get(rx.id) ?? [] : null;
  const shown = lines.map((l) => {
    const med = meds.get(l.medicationId)!;
    return {
      medicationId: med.id,
      name: med.name,
      genericName: med.genericName,
      code: l.code,
      quantity: l.quantity,
      unit: med.unit,
      unitPrice: med.unitPrice,
      amount: l.quantity * med.unitPrice,
      substitutionReason: l.substitutionReason,
      prescriptionItemId: due ? itemFor(due, med)?.id ?? null : null,
      available: stock.get(med.id) ?? 0,
    };
  });
  if (s.patientId) {
    deps.audit.recordRead(a, {
      action: `${ENTITY}.read`,
      entityType: ENTITY,
      entityId: s.id,
      patientId: s.patientId,
    });
  }
  return {
    id: s.id,
    status: s.status as View["status"],
    prescriptionId: s.prescriptionId,
    prescriptionNumber: rx?.number ?? null,
    patientId: s.patientId,
    storeId: s.storeId,
    lines: shown,
    totals: {
      quantity: shown.reduce((n, l) => n + l.quantity, 0),
      amount: shown.reduce((n, l) => n + l.amount, 0),
      currency: await orgCurrency(tx, a.orgId),
    },
    due: due ?? [],
    warnings: s.status === "open"
      ? lines.flatMap((l) =>
        warningsOf(l, meds.get(l.medicationId)!, due, stock.get(l.medicationId) ?? 0)
      )
      : [],
    dispensationId: s.dispensationId,
    version: s.version,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

export async function openSession(deps: Deps, a: Actor, input: z.infer<typeof SessionInput>) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const store = await storeFor(deps, tx, a, input.storeId);
    const rx = input.prescriptionId ? await dueRx(deps, tx, a, input.prescriptionId) : null;
    if (rx && input.patientId && input.patientId !== rx.patientId) {
      throw unprocessable("The prescription is another patient's.", [
        { path: "patientId", in: "body", message: "is not the prescription's patient" },
      ]);
    }
    const row = await insertTracked(tx, dispensingSessions, {
      ...stamp(a.orgId, a.userId, at),
      prescriptionId: rx?.id ?? null,
      patientId: rx?.patientId ?? input.patientId ?? null,
      storeId: store.id,
      status: "open",
      lines: [],
      dispensationId: null,
    });
    await deps.audit.record(tx, a, {
      action: `${ENTITY}.create`,
      entityType: ENTITY,
      entityId: row.id,
      patientId: row.patientId ?? undefined,
    });
    return await view(deps, tx, a, row);
  });
}

async function openOne(tx: Db, a: Actor, id: string) {
  const s = await findInTenant(tx, dispensingSessions, a.orgId, id);
  if (!s) throw notFound("Dispensing session");
  if (s.status !== "open") {
    throw conflict(`The session is ${s.status}: open a new one.`, { state: s.status });
  }
  return s;
}

/** A versioned write of the session, audited as `action`. */
async function updateSession(
  deps: Deps,
  tx: Db,
  a: Actor,
  s: SessionRow,
  action: string,
  set: Partial<typeof dispensingSessions.$inferInsert>,
) {
  return await auditedUpdate(deps, tx, a, {
    table: dispensingSessions,
    label: "Dispensing session",
    id: s.id,
    expectedVersion: s.version,
    action: `${ENTITY}.${action}`,
    entityType: ENTITY,
    patientId: s.patientId ?? undefined,
    set,
  });
}

const saveLines = (deps: Deps, tx: Db, a: Actor, s: SessionRow, lines: StoredLine[]) =>
  updateSession(deps, tx, a, s, "scan", { lines: lines as unknown as Record<string, unknown>[] });

export async function scanInto(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof ScanIntoSession>,
) {
  return await deps.db.transaction(async (tx) => {
    const s = await openOne(tx, a, id);
    const med = await medicationByCode(tx, a.orgId, input.code);
    if (!med) {
      throw unprocessable("Unknown code.", [
        { path: "code", in: "body", message: "is no medication's code in the catalogue" },
      ]);
    }
    if (s.prescriptionId) {
      const due = (await dueItems(tx, [s.prescriptionId])).get(s.prescriptionId) ?? [];
      if (!itemFor(due, med)) {
        const warning: Warning = {
          kind: "not_on_prescription",
          medicationId: med.id,
          message: `${med.name} (${med.genericName}) is not on the prescription: put it back.`,
        };
        return {
          ...await view(deps, tx, a, s),
          scan: { accepted: false, medicationId: med.id, warning },
        };
      }
    }
    const lines = linesOf(s).map((l) => ({ ...l }));
    const same = lines.find((l) => l.medicationId === med.id);
    if (same) {
      same.quantity += input.quantity;
      same.substitutionReason = input.substitutionReason ?? same.substitutionReason;
    } else {
      lines.push({
        medicationId: med.id,
        code: input.code,
        quantity: input.quantity,
        substitutionReason: input.substitutionReason ?? null,
      });
    }
    const saved = await saveLines(deps, tx, a, s, lines);
    const shown = await view(deps, tx, a, saved);
    return {
      ...shown,
      scan: {
        accepted: true,
        medicationId: med.id,
        warning: shown.warnings.find((w) => w.medicationId === med.id) ?? null,
      },
    };
  });
}

export async function removeLine(deps: Deps, a: Actor, id: string, medicationId: string) {
  return await deps.db.transaction(async (tx) => {
    const s = await openOne(tx, a, id);
    const lines = linesOf(s);
    if (!lines.some((l) => l.medicationId === medicationId)) throw notFound("Session line");
    const saved = await saveLines(
      deps,
      tx,
      a,
      s,
      lines.filter((l) => l.medicationId !== medicationId),
    );
    return await view(deps, tx, a, saved);
  });
}

export async function readSession(deps: Deps, a: Actor, id: string) {
  const s = await findInTenant(deps.db.db, dispensingSessions, a.orgId, id);
  if (!s) throw notFound("Dispensing session");
  return await view(deps, deps.db.db, a, s);
}

/**
 * Dispenses what was scanned, in one transaction with closing the session: of two completions
 * racing, the second finds the session completed and answers 409, so nothing is handed over
 * twice.
 */
export async function completeSession(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof CompleteInput>,
) {
  return await deps.db.transaction(async (tx) => {
    const s = await openOne(tx, a, id);
    const lines = linesOf(s);
    if (!lines.length) throw conflict("Nothing was scanned into the session.", { lines: 0 });
    const dispensation = await dispenseIn(deps, tx, a, {
      prescriptionId: s.prescriptionId ?? undefined,
      patientId: s.patientId ?? undefined,
      storeId: s.storeId,
      items: lines.map((l) => ({
        medicationId: l.medicationId,
        code: l.code ?? undefined,
        quantity: l.quantity,
        substitutionReason: l.substitutionReason ?? undefined,
      })),
      override: input.override,
    });
    await updateSession(deps, tx, a, s, "complete", {
      status: "completed",
      dispensationId: dispensation.id,
    });
    return dispensation;
  });
}

export async function abandonSession(deps: Deps, a: Actor, id: string) {
  return await deps.db.transaction(async (tx) => {
    const s = await openOne(tx, a, id);
    const saved = await updateSession(deps, tx, a, s, "abandon", { status: "abandoned" });
    return await view(deps, tx, a, saved);
  });
}
