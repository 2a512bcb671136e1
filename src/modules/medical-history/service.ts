/**
 * Medical history rules: each kind takes its own statuses (a condition resolves, a medication
 * stops, a surgery or a relative's illness is simply recorded), dosage belongs to medications and
 * a relation to family history, where it is required. Broken rules answer 422 naming the field.
 */
import { eq } from "drizzle-orm";
import { type HistoryEntryRow, patientHistoryEntries } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import type { FieldError } from "../../lib/errors.ts";
import {
  addEntry,
  changeEntry,
  dateProblems,
  type EntryKind,
  type EntryTarget,
  listOf,
  type PageRequest,
  refuseIfAny,
} from "../patients/mod.ts";
import {
  HISTORY_ENTRY_FIELDS,
  type HistoryEntryInputT,
  type HistoryEntryPatchT,
  type HistoryEntryT,
  type HistoryKind,
  STATUSES_BY_KIND,
} from "./schemas.ts";

export function toHistoryEntry(r: HistoryEntryRow): HistoryEntryT {
  return {
    id: r.id,
    patientId: r.patientId,
    kind: r.kind as HistoryEntryT["kind"],
    name: r.name,
    code: r.code,
    status: r.status as HistoryEntryT["status"],
    onsetDate: r.onsetDate,
    endDate: r.endDate,
    dosage: r.dosage,
    relation: r.relation,
    notes: r.notes,
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    createdBy: r.createdBy,
    updatedBy: r.updatedBy,
  };
}

export const HISTORY_ENTRY: EntryKind<typeof patientHistoryEntries, HistoryEntryT> = {
  table: patientHistoryEntries,
  label: "Medical history entry",
  fields: HISTORY_ENTRY_FIELDS,
  view: toHistoryEntry,
};

interface EntryValues {
  kind: HistoryKind;
  status: string;
  onsetDate?: string | null;
  endDate?: string | null;
  dosage?: string | null;
  relation?: string | null;
}

/** Every rule the entry as it would be stored breaks. */
function problemsOf(e: EntryValues, today: string): FieldError[] {
  const out = dateProblems(e, today);
  const allowed = STATUSES_BY_KIND[e.kind];
  if (!allowed.includes(e.status as never)) {
    out.push({ path: "status", in: "body", message: `a ${e.kind} is ${allowed.join(" or ")}` });
  }
  if (e.dosage && e.kind !== "medication") {
    out.push({ path: "dosage", in: "body", message: "only for medications" });
  }
  if (e.kind === "family" && !e.relation) {
    out.push({ path: "relation", in: "body", message: "required for family history" });
  }
  if (e.relation && e.kind !== "family") {
    out.push({ path: "relation", in: "body", message: "only for family history" });
  }
  return out;
}

export function listHistoryEntries(
  deps: Deps,
  a: Actor,
  patientId: string,
  q: PageRequest & { kind?: string; status?: string },
) {
  const t = patientHistoryEntries;
  const filters = [];
  if (q.kind) filters.push(eq(t.kind, q.kind));
  if (q.status) filters.push(eq(t.status, q.status));
  return listOf(deps, a, HISTORY_ENTRY, patientId, q, filters);
}

export function addHistoryEntry(
  deps: Deps,
  a: Actor,
  patientId: string,
  input: HistoryEntryInputT,
) {
  return addEntry(deps, a, HISTORY_ENTRY, patientId, (_tx, today) => {
    const status = input.status ?? STATUSES_BY_KIND[input.kind][0];
    refuseIfAny(problemsOf({ ...input, status }, today));
    return Promise.resolve({
      kind: input.kind,
      name: input.name,
      code: input.code ?? null,
      status,
      onsetDate: input.onsetDate ?? null,
      endDate: input.endDate ?? null,
      dosage: input.dosage ?? null,
      relation: input.relation ?? null,
      notes: input.notes ?? null,
    });
  });
}

export function updateHistoryEntry(
  deps: Deps,
  a: Actor,
  target: EntryTarget,
  patch: HistoryEntryPatchT,
) {
  return changeEntry(deps, a, HISTORY_ENTRY, target, {
    set: (_tx, current, today) => {
      const next = { ...current, ...patch, kind: current.kind as HistoryKind };
      refuseIfAny(problemsOf(next, today));
      return Promise.resolve(patch);
    },
  });
}
