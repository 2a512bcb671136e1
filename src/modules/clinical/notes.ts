/**
 * Consultation notes: draft → signed → amended. Only its author edits a draft; signing locks
 * it; an amendment is a new version with a reason, and every version stays readable (the row's
 * versions). Diagnoses carry ICD-10 category or subcategory codes; those confirmed in a signed
 * note join the patient's problem list. A visit with an unsigned note cannot close (the gate in
 * mod.ts).
 */
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { selectWhere } from "../../../db/rows.ts";
import { clinicalNotes, type NoteDiagnosis } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import { listVersions } from "../../../db/versions.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, type FieldError, forbidden, notFound, unprocessable } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { checkDiagnoses } from "./diagnoses.ts";
import { recordProblem } from "../medical-history/mod.ts";
import { openVisitFor, visitOf } from "../scheduling/mod.ts";
import type { AmendInput, NoteInput, NotePatch } from "./schemas.ts";
import { checkPractice, practiceSystemsOf, refuse } from "./practice.ts";

export type NoteRow = typeof clinicalNotes.$inferSelect;
const ENTITY = "clinical-note";
const FIELDS = [
  "reason",
  "history",
  "symptoms",
  "examination",
  "assessment",
  "plan",
  "followUpDate",
  "diagnoses",
  "status",
];

export const toNote = (n: NoteRow) => ({
  id: n.id,
  encounterId: n.encounterId,
  patientId: n.patientId,
  authorId: n.authorId,
  status: n.status as "draft" | "signed" | "amended",
  reasonForVisit: n.reason,
  history: n.history,
  symptoms: n.symptoms,
  examination: n.examination,
  assessment: n.assessment,
  plan: n.plan,
  followUpDate: n.followUpDate,
  diagnoses: n.diagnoses,
  practice: n.practice ?? null,
  templateId: n.templateId ?? null,
  signedAt: n.signedAt,
  signedBy: n.signedBy,
  amendmentReason: n.amendmentReason,
  version: n.version,
  createdAt: n.createdAt,
  updatedAt: n.updatedAt,
  updatedBy: n.updatedBy,
});

type Fields = z.infer<typeof NoteInput>;

/** The diagnoses as stored: each code checked against the code list, titles from it. */
function diagnosesOf(input: Fields["diagnoses"]): NoteDiagnosis[] | undefined {
  if (!input) return undefined;
  const problems: FieldError[] = [];
  const out = checkDiagnoses(input, "diagnoses", problems);
  if (problems.length) throw unprocessable("Some diagnoses cannot be recorded.", problems);
  return out;
}

/** The columns a set of note fields writes (practice fields checked against `systems`). */
function columnsOf(f: Fields, systems: string[]) {
  const set: Partial<typeof clinicalNotes.$inferInsert> = {};
  if (f.practice !== undefined) {
    const problems: FieldError[] = [];
    set.practice = checkPractice("note", f.practice, systems, "practice", problems);
    refuse(problems, "Some practice-system fields cannot be recorded.");
  }
  if (f.reasonForVisit !== undefined) set.reason = f.reasonForVisit;
  if (f.history !== undefined) set.history = f.history;
  if (f.symptoms !== undefined) set.symptoms = f.symptoms;
  if (f.examination !== undefined) set.examination = f.examination;
  if (f.assessment !== undefined) set.assessment = f.assessment;
  if (f.plan !== undefined) set.plan = f.plan;
  if (f.followUpDate !== undefined) set.followUpDate = f.followUpDate;
  const diagnoses = diagnosesOf(f.diagnoses);
  if (diagnoses) set.diagnoses = diagnoses;
  return set;
}

export async function writeNote(deps: Deps, a: Actor, encounterId: string, input: Fields) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    // The visit first: another organisation's answers 404 whatever the body holds.
    const visit = await openVisitFor(tx, a.orgId, encounterId);
    const set = columnsOf(input, await practiceSystemsOf(tx, a.orgId));
    const row = await insertTracked(tx, clinicalNotes, {
      ...stamp(a.orgId, a.userId, now),
      encounterId,
      patientId: visit.patientId,
      authorId: a.userId,
      status: "draft",
      symptoms: [],
      diagnoses: [],
      ...set,
    });
    await deps.audit.record(tx, a, {
      action: `${ENTITY}.create`,
      entityType: ENTITY,
      entityId: row.id,
      patientId: row.patientId,
    });
    return toNote(row);
  });
}

async function findNote(db: Db, orgId: string, id: string) {
  const row = await findInTenant(db, clinicalNotes, orgId, id);
  if (!row) throw notFound("Note");
  return row;
}

export async function readNote(deps: Deps, a: Actor, id: string) {
  const row = await findNote(deps.db.db, a.orgId, id);
  deps.audit.recordRead(a, {
    action: `${ENTITY}.read`,
    entityType: ENTITY,
    entityId: id,
    patientId: row.patientId,
  });
  return toNote(row);
}

export async function visitNotes(deps: Deps, a: Actor, encounterId: string) {
  const visit = await visitOf(deps.db.db, a.orgId, encounterId);
  const rows = await selectWhere(
    deps.db.db,
    clinicalNotes,
    `"encounter_id" = ? AND "org_id" = ? AND "deleted_at" IS NULL ORDER BY "created_at", "id"`,
    [encounterId, a.orgId],
  ) as NoteRow[];
  deps.audit.recordRead(a, {
    action: `${ENTITY}.list`,
    entityType: ENTITY,
    patientId: visit.patientId,
  });
  return { data: rows.map(toNote) };
}

const authorOnly = (row: NoteRow, a: Actor, doing: string) => {
  if (row.authorId !== a.userId) throw forbidden(`Only the note's author ${doing}.`);
};

export async function editDraft(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof NotePatch>,
  expectedVersion: number | undefined,
) {
  return await deps.db.transaction(async (tx) => {
    const current = await findNote(tx, a.orgId, id);
    const systems = await practiceSystemsOf(tx, a.orgId);
    const row = await auditedUpdate(deps, tx, a, {
      table: clinicalNotes,
      label: "Note",
      id,
      expectedVersion,
      action: `${ENTITY}.update`,
      entityType: ENTITY,
      patientId: current.patientId,
      fields: FIELDS,
      check: async (before) => {
        authorOnly(before, a, "edits a draft");
        if (before.status !== "draft") {
          throw conflict("A signed note is amended, not edited.", { state: before.status });
        }
        await openVisitFor(tx, a.orgId, before.encounterId);
      },
      // After the version and author checks: a stale If-Match answers 412 first.
      set: () => Promise.resolve(columnsOf(patch, systems)),
    });
    return toNote(row);
  });
}

/** Confirmed diagnoses of a signed or amended note join the patient's problem list. */
async function feedProblemList(deps: Deps, tx: Db, a: Actor, note: NoteRow, day: string) {
  for (const d of note.diagnoses) {
    if (d.certainty !== "confirmed") continue;
    await recordProblem(deps, tx, a, note.patientId, {
      code: d.code,
      name: d.title,
      onsetDate: day,
      note: `Confirmed in consultation note ${note.id}`,
    });
  }
}

export async function signNote(deps: Deps, a: Actor, id: string) {
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const current = await findNote(tx, a.orgId, id);
    const row = await auditedUpdate(deps, tx, a, {
      table: clinicalNotes,
      label: "Note",
      id,
      expectedVersion: undefined,
      action: `${ENTITY}.sign`,
      entityType: ENTITY,
      patientId: current.patientId,
      fields: ["status"],
      check: (before) => {
        authorOnly(before, a, "signs it");
        if (before.status !== "draft") {
          throw conflict("The note is signed already.", { state: before.status });
        }
      },
      set: { status: "signed", signedAt: now, signedBy: a.userId },
    });
    await feedProblemList(deps, tx, a, row, now.slice(0, 10));
    return toNote(row);
  });
}

/** A signed note changed: a new version, with why; the earlier ones stay readable. */
export async function amendNote(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof AmendInput>,
) {
  const { reason, ...fields } = input;
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const current = await findNote(tx, a.orgId, id);
    const set = columnsOf(fields, await practiceSystemsOf(tx, a.orgId));
    const row = await auditedUpdate(deps, tx, a, {
      table: clinicalNotes,
      label: "Note",
      id,
      expectedVersion: undefined,
      action: `${ENTITY}.amend`,
      entityType: ENTITY,
      patientId: current.patientId,
      fields: FIELDS,
      check: (before) => {
        if (before.status === "draft") {
          throw conflict("A draft is edited, not amended; sign it first.", { state: "draft" });
        }
      },
      set: { ...set, status: "amended", amendmentReason: reason },
    });
    await feedProblemList(deps, tx, a, row, now.slice(0, 10));
    return toNote(row);
  });
}

export async function noteVersions(deps: Deps, a: Actor, id: string) {
  const row = await findNote(deps.db.db, a.orgId, id);
  const versions = await listVersions(deps.db.db, a.orgId, "clinical_notes", id, { limit: 1000 });
  deps.audit.recordRead(a, {
    action: `${ENTITY}.versions`,
    entityType: ENTITY,
    entityId: id,
    patientId: row.patientId,
  });
  return {
    data: versions.slice(0, 1000).map((v) => ({
      version: v.version,
      operation: v.operation,
      changedAt: v.changedAt,
      changedBy: v.changedBy,
      fields: v.fields,
      note: toNote(v.data as NoteRow),
    })),
  };
}

/** The `encounter.close` gate: what keeps the visit open. */
export async function unsignedNotes(tx: Db, subject: { orgId: string; id: string }) {
  const drafts = await selectWhere(
    tx,
    clinicalNotes,
    `"encounter_id" = ? AND "org_id" = ? AND "status" = 'draft' AND "deleted_at" IS NULL`,
    [subject.id, subject.orgId],
  ) as NoteRow[];
  return drafts.map((n) => `consultation note ${n.id} is unsigned`);
}
