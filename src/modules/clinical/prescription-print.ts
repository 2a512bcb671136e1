/**
 * The printable prescription: gathers what the paper shows (clinic, prescriber, patient, items
 * in words) and lays it out with renderPrescriptionPdf. Audited as a read of the patient's data.
 */
import { and, eq } from "drizzle-orm";
import {
  facilities,
  memberships,
  organizations,
  patients,
  prescriptionItems,
  prescriptions,
  users,
} from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { notFound } from "../../lib/errors.ts";
import { COUNTABLE_UNITS, frequencyInWords } from "./prescription-rules.ts";

/** "2 capsules", "1 capsule", "500 mg": counted units take a plural. */
const unitFor = (unit: string, n: number) =>
  COUNTABLE_UNITS.has(unit) && n !== 1 ? (unit.endsWith("s") ? unit : `${unit}s`) : unit;

const ROUTE_WORDS: Record<string, string> = {
  oral: "by mouth",
  sublingual: "under the tongue",
  iv: "intravenous",
  im: "intramuscular",
  sc: "subcutaneous",
  topical: "on the skin",
  inhaled: "inhaled",
  rectal: "rectal",
  vaginal: "vaginal",
  ophthalmic: "in the eye",
  otic: "in the ear",
  nasal: "in the nose",
};

export async function prescriptionPdf(deps: Deps, a: Actor, id: string) {
  const db = deps.db.db;
  const rx = await findInTenant(db, prescriptions, a.orgId, id);
  if (!rx) throw notFound("Prescription");
  const [org] = await db.select().from(organizations).where(eq(organizations.id, a.orgId));
  const patient = await findInTenant(db, patients, a.orgId, rx.patientId);
  const [prescriber] = await db.select({ name: users.fullName, employeeId: memberships.employeeId })
    .from(users).leftJoin(
      memberships,
      and(eq(memberships.userId, users.id), eq(memberships.orgId, a.orgId)),
    ).where(eq(users.id, rx.prescriberId));
  const facility = a.facilityId ? await findInTenant(db, facilities, a.orgId, a.facilityId) : null;
  const items = (await db.select().from(prescriptionItems)
    .where(eq(prescriptionItems.prescriptionId, id))).filter((i) => !i.deletedAt)
    .sort((x, y) => x.position - y.position);
  // pdf-lib loads on the first print, not at start (~0.3 s of a cold start).
  const { renderPrescriptionPdf } = await import("./prescription-pdf.ts");
  const bytes = await renderPrescriptionPdf({
    clinic: {
      name: org?.name ?? "",
      facility: facility?.name ?? null,
      address: facility?.address ?? null,
      phone: facility?.phone ?? null,
    },
    prescriber: { name: prescriber?.name ?? "", employeeId: prescriber?.employeeId ?? null },
    patient: {
      name: [patient?.givenName, patient?.middleName, patient?.familyName].filter(Boolean)
        .join(" "),
      mrn: patient?.mrn ?? "",
      birthDate: patient?.birthDate ?? null,
      sex: patient?.sex ?? null,
    },
    number: rx.number,
    issuedOn: rx.issuedOn,
    validUntil: rx.validUntil,
    items: items.map((i) => ({
      medication: i.medication,
      genericName: i.genericName,
      dose: i.dose,
      unit: unitFor(i.unit, i.dose),
      route: ROUTE_WORDS[i.route] ?? i.route,
      frequency: frequencyInWords(i.frequency),
      durationDays: i.durationDays,
      quantity: i.quantity,
      quantityUnit: unitFor(i.unit, i.quantity),
      instructions: i.instructions,
    })),
    notes: rx.notes,
  });
  deps.audit.recordRead(a, {
    action: "prescription.print",
    entityType: "prescription",
    entityId: id,
    patientId: rx.patientId,
  });
  return { number: rx.number, bytes };
}
