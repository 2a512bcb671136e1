/**
 * The bookkeeping of patient imports on this node, so that one the process did not finish (a
 * crash, a kill, a power cut between two of its short transactions) is undone at the next start
 * instead of leaving half a file registered (src/modules/patient-transfer/import-recovery.ts).
 * Local: the patients sync like any others; which import wrote them is this node's business.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * One import that wrote rows, written in its first publishing transaction. `status`:
 * publishing → done (in the transaction of its last row, with the `patient.import` entry), or
 * publishing → undoing → undone. An import `publishing` or `undoing` whose `claimed_until` has
 * passed was abandoned by the process running it: every publishing or undoing transaction
 * extends the claim, and start-up undoes the import once it lapses.
 */
export const patientImports = sqliteTable("patient_imports", {
  id: text("id").primaryKey(),
  orgId: text("org_id").notNull(),
  startedAt: text("started_at").notNull(),
  startedBy: text("started_by"),
  /** all-or-nothing | partial */
  mode: text("mode").notNull(),
  /** publishing | undoing | done | undone */
  status: text("status").notNull(),
  /** Rows the import set out to register (those that passed the checks). */
  rows: integer("rows").notNull(),
  claimedUntil: text("claimed_until").notNull(),
  finishedAt: text("finished_at"),
});

/** The patients an import registered, each written in the transaction that registered it. */
export const patientImportRows = sqliteTable("patient_import_rows", {
  importId: text("import_id").notNull().references(() => patientImports.id),
  patientId: text("patient_id").notNull(),
}, (t) => [primaryKey({ columns: [t.importId, t.patientId] })]);
