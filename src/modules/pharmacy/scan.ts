/** A scanned code: a medication's barcode, or a prescription's number (its printed QR). */
import { and, eq, isNull } from "drizzle-orm";
import { prescriptions } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import { medicationByCode, stockOnHand, toMedication } from "./service.ts";
import { orgCurrency } from "../organizations/mod.ts";

export async function scanCode(deps: Deps, a: Actor, code: string) {
  const db = deps.db.db;
  const med = await medicationByCode(db, a.orgId, code);
  if (med) {
    const batches = await stockOnHand(deps, a, { medicationId: med.id });
    return {
      medication: toMedication(med, [code], await orgCurrency(db, a.orgId)),
      batches,
      prescription: null,
    };
  }
  const [rx] = await db.select().from(prescriptions).where(and(
    eq(prescriptions.orgId, a.orgId),
    eq(prescriptions.number, code.toUpperCase()),
    isNull(prescriptions.deletedAt),
  ));
  if (rx) {
    deps.audit.recordRead(a, {
      action: "prescription.scan",
      entityType: "prescription",
      entityId: rx.id,
      patientId: rx.patientId,
    });
    return {
      medication: null,
      batches: [],
      prescription: { id: rx.id, number: rx.number, patientId: rx.patientId, status: rx.status },
    };
  }
  throw notFound("Code");
}
