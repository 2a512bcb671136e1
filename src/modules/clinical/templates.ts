/**
 * Consultation and prescription templates: text a doctor writes often ("URTI adult", "Malaria
 * uncomplicated (AL)"), kept as the organisation's (shared) or one doctor's own. A doctor sees
 * the shared ones and their own, never a colleague's own (404, as if it did not exist). Applying
 * a note template copies its fields into a draft; nothing links them afterwards, so editing the
 * template changes no note made from it. A prescription template's items are read by the client
 * and sent to POST /prescriptions, where the safety check runs as for any prescription.
 *
 * Templates are not patient data: writes are audited, reads are not.
 */
import { and, asc, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { clinicalNotes, clinicalTemplates } from "../../../db/schema/mod.ts";
import { findInTenant, insertTracked, stamp } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import {
  badRequest,
  conflict,
  type FieldError,
  forbidden,
  notFound,
  unprocessable,
} from "../../lib/errors.ts";
import { decodeCursor, invalidCursor, pageOf } from "../../lib/pagination.ts";
import { fieldErrors } from "../../lib/router.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { openVisitFor } from "../scheduling/mod.ts";
import { toNote } from "./notes.ts";
import { checkDiagnoses } from "./diagnoses.ts";
import { checkPractice, practiceSystemsOf, refuse } from "./practice.ts";
import { NoteInput } from "./schemas.ts";
import {
  type ApplyTemplateInput,
  type NoteTemplateContent,
  PrescriptionTemplateContent,
  type Template,
  type TemplateInput,
  type TemplateListQuery,
  type TemplatePatch,
} from "./schemas-templates.ts";

type Row = typeof clinicalTemplates.$inferSelect;
type NoteRow = typeof clinicalNotes.$inferSelect;
type NoteFields = z.infer<typeof NoteInput>;
type StoredNote = z.infer<typeof NoteTemplateContent>;
type StoredPrescription = z.infer<typeof PrescriptionTemplateContent>;

const ENTITY = "clinical-template";
const NOTE_ENTITY = "clinical-note";
/** The permission to create and change organisation-wide templates (mod.ts grants it). */
export const SHARE = "templates:share";
const FIELDS = ["name", "content", "active"];
const NOTE_FIELDS = [
  "reason",
  "history",
  "symptoms",
  "examination",
  "assessment",
  "plan",
  "diagnoses",
  "practice",
  "templateId",
];

export const toTemplate = (t: Row) => ({
  id: t.id,
  kind: t.kind as "note" | "prescription",
  name: t.name,
  shared: t.ownerId === null,
  ownerId: t.ownerId,
  content: t.content as z.infer<typeof Template>["content"],
  active: t.active,
  version: t.version,
  createdAt: t.createdAt,
  createdBy: t.createdBy,
  updatedAt: t.updatedAt,
  updatedBy: t.updatedBy,
});

/** Rows the caller may see: the organisation's shared ones and their own. */
const visibleTo = (a: Actor) =>
  or(isNull(clinicalTemplates.ownerId), eq(clinicalTemplates.ownerId, a.userId))!;

/** Nothing written: null, blank text, an empty list or record. */
const isEmpty = (v: unknown) =>
  v === null || v === undefined || (typeof v === "string" && !v.trim()) ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0);

/** A note template's content as stored: the fields sent, diagnoses and practice checked. */
function noteContentOf(input: NoteFields, systems: string[]): StoredNote {
  const problems: FieldError[] = [];
  if (input.followUpDate) {
    // One fixed date would be wrong on every later use of the template.
    problems.push({
      path: "content.followUpDate",
      in: "body",
      message: "a template holds no date; set the follow-up on the note",
    });
  }
  const { followUpDate: _date, diagnoses, practice, ...text } = input;
  // A field left empty in a template is one it does not fill.
  const out: StoredNote = Object.fromEntries(
    Object.entries(text).filter(([, v]) => !isEmpty(v)),
  );
  if (diagnoses) out.diagnoses = checkDiagnoses(diagnoses, "content.diagnoses", problems);
  if (practice) {
    out.practice = checkPractice("note", practice, systems, "content.practice", problems);
  }
  refuse(problems, "The template's content cannot be recorded.");
  return out;
}

/** A prescription template's content as stored: items as sent, practice fields checked. */
function prescriptionContentOf(input: StoredPrescription, systems: string[]): StoredPrescription {
  const problems: FieldError[] = [];
  const items = input.items.map((item, i) =>
    item.practice
      ? {
        ...item,
        practice: checkPractice(
          "item",
          item.practice,
          systems,
          `content.items.${i}.practice`,
          problems,
        ),
      }
      : item
  );
  refuse(problems, "The template's content cannot be recorded.");
  return { items };
}

/** Content sent in a PATCH, checked against the template's kind (400 on its shape). */
function parseContent(kind: string, raw: Record<string, unknown>, systems: string[]) {
  const schema = kind === "note" ? NoteInput : PrescriptionTemplateContent;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ ...i, path: ["content", ...i.path] }));
    throw badRequest("The request body is not valid.", fieldErrors(issues, "body"));
  }
  return kind === "note"
    ? noteContentOf(parsed.data as NoteFields, systems)
    : prescriptionContentOf(parsed.data as StoredPrescription, systems);
}

function mayShare(deps: Deps, a: Actor) {
  if (!deps.registry.permissions.can(a.role, SHARE)) {
    throw forbidden(`Organisation-wide templates need the ${SHARE} permission.`);
  }
}

export async function createTemplate(
  deps: Deps,
  a: Actor,
  input: z.infer<typeof TemplateInput>,
) {
  if (input.shared) mayShare(deps, a);
  const systems = await practiceSystemsOf(deps.db.db, a.orgId);
  const content = input.kind === "note"
    ? noteContentOf(input.content, systems)
    : prescriptionContentOf(input.content, systems);
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const row = await insertTracked(tx, clinicalTemplates, {
      ...stamp(a.orgId, a.userId, now),
      kind: input.kind,
      name: input.name,
      ownerId: input.shared ? null : a.userId,
      content: content as Record<string, unknown>,
      active: true,
    });
    await deps.audit.record(tx, a, {
      action: `${ENTITY}.create`,
      entityType: ENTITY,
      entityId: row.id,
    });
    return toTemplate(row);
  });
}

export async function readTemplate(db: Db, a: Actor, id: string) {
  const row = await findInTenant(db, clinicalTemplates, a.orgId, id, visibleTo(a));
  if (!row) throw notFound("Template");
  return toTemplate(row);
}

/** Shared and own templates, by name; active ones unless `include=inactive`. */
export async function listTemplates(db: Db, a: Actor, q: z.infer<typeof TemplateListQuery>) {
  const t = clinicalTemplates;
  const where: SQL[] = [eq(t.orgId, a.orgId), isNull(t.deletedAt), visibleTo(a)];
  if (q.kind) where.push(eq(t.kind, q.kind));
  if (q.include !== "inactive") where.push(eq(t.active, true));
  for (const word of (q.q ?? "").toLowerCase().split(/\s+/).filter(Boolean)) {
    where.push(sql`instr(lower(${t.name}), ${word}) > 0`);
  }
  const name = sql`${t.name} COLLATE NOCASE`;
  const cursor = decodeCursor(q.cursor);
  if (cursor) {
    if (typeof cursor.v !== "string") throw invalidCursor();
    where.push(sql`(${name} > ${cursor.v} OR (${name} = ${cursor.v} AND ${t.id} > ${cursor.id}))`);
  }
  const rows = await db.select().from(t).where(and(...where))
    .orderBy(name, asc(t.id)).limit(q.limit + 1);
  return pageOf(rows.map(toTemplate), q.limit, (r) => r.name);
}

/**
 * Changes a template the caller may see: their own, or a shared one with `templates:share`
 * (403 without). A colleague's own is not found (404).
 */
export async function updateTemplate(
  deps: Deps,
  a: Actor,
  id: string,
  patch: z.infer<typeof TemplatePatch>,
  expectedVersion: number | undefined,
  action = `${ENTITY}.update`,
) {
  const systems = patch.content ? await practiceSystemsOf(deps.db.db, a.orgId) : [];
  return await deps.db.transaction(async (tx) => {
    const row = await auditedUpdate(deps, tx, a, {
      table: clinicalTemplates,
      label: "Template",
      id,
      expectedVersion,
      scope: visibleTo(a),
      check: (before) => {
        if (before.ownerId === null) mayShare(deps, a);
      },
      set: (before) => {
        const set: Partial<typeof clinicalTemplates.$inferInsert> = {};
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.active !== undefined) set.active = patch.active;
        if (patch.content) {
          set.content = parseContent(before.kind, patch.content, systems) as Record<
            string,
            unknown
          >;
        }
        return Promise.resolve(set);
      },
      action,
      entityType: ENTITY,
      fields: FIELDS,
    });
    return toTemplate(row);
  });
}

export const deactivateTemplate = (
  deps: Deps,
  a: Actor,
  id: string,
  expectedVersion: number | undefined,
) => updateTemplate(deps, a, id, { active: false }, expectedVersion, `${ENTITY}.deactivate`);

/** The note template a draft is filled from: one the caller sees, active (422 otherwise). */
async function templateToApply(tx: Db, a: Actor, id: string) {
  const row = await findInTenant(tx, clinicalTemplates, a.orgId, id, visibleTo(a));
  const refuseWith = (message: string) =>
    unprocessable("The template cannot be applied.", [{ path: "templateId", in: "body", message }]);
  if (!row) throw refuseWith("no such template");
  if (row.kind !== "note") {
    throw refuseWith("a prescription template: send its items to POST /prescriptions");
  }
  if (!row.active) throw refuseWith("the template is deactivated");
  return row;
}

/**
 * The note columns a template fills, checked again: the code list or the organisation's
 * practice systems may have changed since the template was saved.
 */
function columnsFrom(template: Row, systems: string[]) {
  const c = template.content as StoredNote;
  const problems: FieldError[] = [];
  const cols: Partial<NoteRow> = {};
  if (c.reasonForVisit !== undefined) cols.reason = c.reasonForVisit;
  if (c.history !== undefined) cols.history = c.history;
  if (c.symptoms !== undefined) cols.symptoms = c.symptoms;
  if (c.examination !== undefined) cols.examination = c.examination;
  if (c.assessment !== undefined) cols.assessment = c.assessment;
  if (c.plan !== undefined) cols.plan = c.plan;
  if (c.diagnoses) cols.diagnoses = checkDiagnoses(c.diagnoses, "diagnoses", problems);
  if (c.practice) cols.practice = checkPractice("note", c.practice, systems, "practice", problems);
  if (problems.length) {
    throw unprocessable(
      "The template no longer fits the code list or the organisation's practice systems; " +
        "edit the template.",
      problems.map((p) => ({ path: "templateId", in: "body", message: `${p.path}: ${p.message}` })),
    );
  }
  return cols;
}

/**
 * What applying changes: each field of the template the draft does not have yet, or every one
 * with `overwrite`. Practice fields go by system (a draft's ayurvedic fields stay while the
 * template's homeopathic ones are added).
 */
function fill(before: NoteRow, cols: Partial<NoteRow>, overwrite: boolean) {
  const set: Partial<NoteRow> = {};
  for (const [key, value] of Object.entries(cols) as [keyof NoteRow, unknown][]) {
    if (key === "practice") continue;
    if (overwrite || isEmpty(before[key])) (set as Record<string, unknown>)[key] = value;
  }
  if (cols.practice) {
    const practice = { ...before.practice };
    for (const [system, fields] of Object.entries(cols.practice)) {
      if (overwrite || isEmpty(practice[system])) practice[system] = fields;
    }
    set.practice = practice;
  }
  return set;
}

/**
 * Copies a note template into a draft (only its author's, while the visit is open: 403/409 as
 * for editing) and records which template it started from.
 */
export async function applyTemplate(
  deps: Deps,
  a: Actor,
  noteId: string,
  input: z.infer<typeof ApplyTemplateInput>,
) {
  const systems = await practiceSystemsOf(deps.db.db, a.orgId);
  return await deps.db.transaction(async (tx) => {
    const note = await findInTenant(tx, clinicalNotes, a.orgId, noteId);
    if (!note) throw notFound("Note");
    const row = await auditedUpdate(deps, tx, a, {
      table: clinicalNotes,
      label: "Note",
      id: noteId,
      expectedVersion: undefined,
      action: `${NOTE_ENTITY}.apply-template`,
      entityType: NOTE_ENTITY,
      patientId: note.patientId,
      fields: NOTE_FIELDS,
      check: async (before) => {
        if (before.authorId !== a.userId) {
          throw forbidden("Only the note's author edits a draft.");
        }
        if (before.status !== "draft") {
          throw conflict("A signed note is amended, not edited.", { state: before.status });
        }
        await openVisitFor(tx, a.orgId, before.encounterId);
      },
      set: async (before) => {
        const template = await templateToApply(tx, a, input.templateId);
        const cols = columnsFrom(template, systems);
        return { ...fill(before, cols, input.overwrite), templateId: template.id };
      },
    });
    return toNote(row);
  });
}
