/**
 * Rules sync cannot know: two clinics offline may each book the same practitioner at the same
 * time, or open a visit for the same patient. Both rows are kept (nothing is dropped) and the
 * primary puts the clash in its conflict queue for the front desk to resolve.
 */
import type { Db } from "../../../db/client.ts";
import type { RemoteApplied } from "../../lib/context.ts";
import { activeEncounter, overlapping } from "./repository.ts";
import { ACTIVE_STATUSES } from "./schemas.ts";

const TIME_FIELDS = ["startAt", "endAt", "practitionerId", "status", "deletedAt"];

export async function onRemoteAppointment(tx: Db, applied: RemoteApplied) {
  const a = applied.after as {
    id: string;
    orgId: string;
    practitionerId: string;
    startAt: string;
    endAt: string;
    status: string;
    deletedAt: string | null;
  };
  if (!applied.fields.some((f) => TIME_FIELDS.includes(f))) return;
  if (a.deletedAt || !(ACTIVE_STATUSES as readonly string[]).includes(a.status)) return;
  const clash = await overlapping(tx, a.orgId, a.practitionerId, a.startAt, a.endAt, a.id);
  if (clash.length) {
    await applied.openConflict(
      `double booking: overlaps appointment ${clash.map((c) => c.id).join(", ")} of the ` +
        "same practitioner",
    );
  }
}

export async function onRemoteEncounter(tx: Db, applied: RemoteApplied) {
  const e = applied.after as {
    id: string;
    orgId: string;
    patientId: string;
    facilityId: string | null;
    status: string;
  };
  if (!applied.fields.includes("status") || !["waiting", "in_consultation"].includes(e.status)) {
    return;
  }
  const open = await activeEncounter(tx, e.orgId, e.patientId, e.facilityId);
  if (open && open.id !== e.id) {
    await applied.openConflict(`the patient has another open visit here: ${open.id}`);
  }
}
