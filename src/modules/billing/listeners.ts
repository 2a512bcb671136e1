/** Charges from billable events, in the emitter's transaction (see src/lib/events.ts). */
import type { Listener } from "../../lib/context.ts";
import {
  chargeConsultation,
  chargeDispensation,
  type DispensedItem,
  reverseConsultation,
  reverseDispensed,
} from "./charges.ts";

const str = (v: unknown) => (typeof v === "string" && v ? v : null);

export const billingListeners: Record<string, Listener> = {
  "encounter.started": async (deps, tx, a, { payload: p }) => {
    await chargeConsultation(deps, tx, a, {
      encounterId: String(p.encounterId),
      patientId: String(p.patientId),
      type: str(p.type) ?? "walk_in",
      facilityId: str(p.facilityId),
      practitionerId: str(p.practitionerId),
    });
  },
  "encounter.cancelled": async (deps, tx, a, { payload: p }) => {
    await reverseConsultation(deps, tx, a, { encounterId: String(p.encounterId) });
  },
  "dispensation.created": async (deps, tx, a, { payload: p }) => {
    await chargeDispensation(deps, tx, a, {
      patientId: str(p.patientId),
      encounterId: p.overTheCounter ? null : str(p.encounterId),
      items: (p.items ?? []) as DispensedItem[],
    });
  },
  "dispensation.returned": async (deps, tx, a, { payload: p }) => {
    await reverseDispensed(deps, tx, a, {
      items: (p.items ?? []) as { dispensationItemId: string; quantity: number }[],
    });
  },
};
