/**
 * A patient record as CSV cells, in the column layout of columns.ts, with every cell made safe
 * to open in a spreadsheet.
 */
import type { Role } from "../../lib/permissions.ts";
import type { PatientT } from "../patients/mod.ts";
import { canSeeField } from "../patients/mod.ts";
import { COLUMNS, IMPORT_ONLY } from "./columns.ts";

/**
 * Spreadsheets run a cell starting with = + - @ (and, in some, tab or CR) as a formula: a
 * patient named "=HYPERLINK(…)" must not become a link that leaks data when an admin opens the
 * export. A leading `'` makes it text; the import strips it again.
 */
export function neutralise(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** The export's columns for a role: the fields viewPatient shows it. */
export function exportColumns(role: Role) {
  return COLUMNS.filter((c) => !IMPORT_ONLY.has(c.name) && canSeeField(role, c.path.split(".")[0]));
}

function cellOf(value: unknown, kind: string): string {
  if (value === null || value === undefined) return "";
  if (kind === "tags" && Array.isArray(value)) return value.join(", ");
  if (typeof value === "object") {
    return (Array.isArray(value) && value.length === 0) ? "" : JSON.stringify(value);
  }
  return String(value);
}

/** One CSV record of `p` (already narrowed by viewPatient) for the given columns. */
export function recordOf(p: PatientT, columns: ReturnType<typeof exportColumns>): string[] {
  const source = p as unknown as Record<string, unknown>;
  return columns.map((c) => {
    const [head, tail] = c.path.split(".");
    const top = source[head];
    const value = tail ? (top as Record<string, unknown> | null)?.[tail] : top;
    return neutralise(cellOf(value, c.kind));
  });
}
