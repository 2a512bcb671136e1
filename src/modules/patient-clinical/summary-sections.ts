/**
 * The parts of the patient summary beyond the record itself. The built-in ones (allergies, active
 * problems, current medications, recent documents) live here; later modules add theirs (visits,
 * appointments, prescriptions, results) with `registerSummarySection` when they load, and the
 * summary shows them under `sections`, each only to the roles its permission allows.
 *
 * @example
 * registerSummarySection("appointments", {
 *   permission: "appointments:read",
 *   load: (deps, actor, patientId) => upcomingAppointments(deps, actor.orgId, patientId, 5),
 * });
 */
import { eq, type SQL } from "drizzle-orm";
import { patientAllergies, patientHistoryEntries } from "../../../db/schema/mod.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { can, type Permission, type Role } from "../../lib/permissions.ts";
import { viewAllergy } from "./allergy-service.ts";
import { viewHistoryEntry } from "./medical-history-service.ts";
import { type EntryTable, listEntries, recentDocuments } from "./repository.ts";

export interface SummarySection {
  /** The permission a role needs to see the section; none: every role that reads the summary. */
  permission?: Permission;
  /** Roles that never see it, whatever their permissions. */
  hiddenFrom?: readonly Role[];
  /** The section's content for one patient (already known to exist in the actor's organisation). */
  load(deps: Deps, actor: Actor, patientId: string): Promise<unknown>;
}

/** A summary lists at most this many entries of one kind; a chart shows the rest. */
export const SUMMARY_LIST_LIMIT = 100;
export const RECENT_DOCUMENTS = 5;

function entries<T extends EntryTable>(
  table: T,
  deps: Deps,
  a: Actor,
  patientId: string,
  filters: SQL[],
) {
  return listEntries(deps.db.db, table, {
    orgId: a.orgId,
    patientId,
    filters,
    limit: SUMMARY_LIST_LIMIT,
  }).then((rows) => rows.slice(0, SUMMARY_LIST_LIMIT));
}

const h = patientHistoryEntries;
const clinical = "patients:clinical:read" as const;

export const BUILT_IN_SECTIONS = {
  allergies: {
    permission: clinical,
    load: async (deps, a, patientId) =>
      (await entries(patientAllergies, deps, a, patientId, [
        eq(patientAllergies.status, "active"),
      ])).map(viewAllergy),
  },
  activeProblems: {
    permission: clinical,
    load: async (deps, a, patientId) =>
      (await entries(h, deps, a, patientId, [
        eq(h.kind, "condition"),
        eq(h.status, "active"),
      ]))
        .map(viewHistoryEntry),
  },
  currentMedications: {
    permission: clinical,
    load: async (deps, a, patientId) =>
      (await entries(h, deps, a, patientId, [
        eq(h.kind, "medication"),
        eq(h.status, "active"),
      ])).map(viewHistoryEntry),
  },
  recentDocuments: {
    permission: "patient-documents:read",
    // Finance sees demographics and insurance only, even if it is ever granted documents.
    hiddenFrom: ["FINANCE"],
    load: (deps, a, patientId) => recentDocuments(deps.db.db, a.orgId, patientId, RECENT_DOCUMENTS),
  },
} satisfies Record<string, SummarySection>;

const registered = new Map<string, SummarySection>();

/**
 * Adds a section to every patient summary, shown under `sections[name]`. Call it once, when the
 * contributing module loads; a name used twice (or a built-in's) is a programming error.
 */
export function registerSummarySection(name: string, section: SummarySection) {
  if (name in BUILT_IN_SECTIONS || registered.has(name)) {
    throw new Error(`Summary section "${name}" is already registered`);
  }
  registered.set(name, section);
}

export const registeredSections = (): ReadonlyMap<string, SummarySection> => registered;

/** Whether `role` may see `section`. */
export const maySee = (role: Role, section: SummarySection) =>
  (!section.permission || can(role, section.permission)) && !section.hiddenFrom?.includes(role);
