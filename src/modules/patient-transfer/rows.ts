/**
 * From sheet rows to validated PatientInput objects: the header decides which column is which
 * field, then every data row is checked with the same schema as POST /patients, and rows that
 * describe the same person twice within the file are caught before the database is asked.
 */
import { ProblemError } from "../../lib/errors.ts";
import { foldId, foldText } from "../../lib/normalize.ts";
import { PatientInput, type PatientInputT } from "../patients/mod.ts";
import { type Cell, CellError, cellValue, type Column, columnOf, setPath } from "./columns.ts";

export interface RowError {
  /** The field, as a PatientInput path ("birthDate", "otherPhones.0.number"), or "(record)". */
  field: string;
  message: string;
  /** For a likely duplicate of a registered patient: who, and why. */
  candidates?: { id: string; mrn: string; score: number; reasons: string[] }[];
}

export interface RejectedRow {
  /** Row number as a spreadsheet shows it: the header is row 1. */
  row: number;
  errors: RowError[];
}

export interface ValidRow {
  row: number;
  input: PatientInputT;
}

const REQUIRED = ["givenName", "familyName"];

/** Which column of the sheet feeds which field; warnings for the columns it leaves out. */
export function mapHeader(header: Cell[]): { columns: (Column | null)[]; warnings: string[] } {
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  const columns = header.map((cell) => {
    const title = String(cell ?? "").trim();
    if (title === "") return null;
    const col = columnOf(title);
    if (!col) {
      warnings.push(`Column "${title}" is not a patient field; it was ignored.`);
      return null;
    }
    if (col.readOnly) {
      warnings.push(`Column "${title}" is set by the server; it was ignored.`);
      return null;
    }
    const earlier = seen.get(col.path);
    if (earlier !== undefined) {
      throw new ProblemError(422, `Columns "${earlier}" and "${title}" both name ${col.path}.`, {
        errors: [{ path: col.path, in: "file", message: "named by two columns" }],
      });
    }
    seen.set(col.path, title);
    return col;
  });
  const missing = REQUIRED.filter((f) => !seen.has(f));
  if (missing.length > 0) {
    throw new ProblemError(
      422,
      `The header row lacks required columns: ${missing.join(", ")}. The first row must name ` +
        "the columns (e.g. givenName or First name, familyName or Surname).",
      { errors: missing.map((path) => ({ path, in: "file", message: "required column missing" })) },
    );
  }
  return { columns, warnings };
}

export const isBlankRow = (row: Cell[]) =>
  row.every((cell) => cell === null || cell === undefined || String(cell).trim() === "");

/** One data row as a PatientInput, or the reasons it is not one. */
export function validateRow(
  columns: (Column | null)[],
  cells: Cell[],
  allowDuplicate: boolean,
): { input: PatientInputT } | { errors: RowError[] } {
  const obj: Record<string, unknown> = {};
  const errors: RowError[] = [];
  columns.forEach((col, i) => {
    if (!col) return;
    try {
      const value = cellValue(col.kind, cells[i]);
      if (value !== undefined) setPath(obj, col.path, value);
    } catch (err) {
      if (!(err instanceof CellError)) throw err;
      errors.push({ field: col.path, message: err.message });
    }
  });
  // Sheets often hold one next of kin in plain columns rather than a JSON list.
  const single = obj.emergencyContact;
  delete obj.emergencyContact;
  if (single && obj.emergencyContacts === undefined) obj.emergencyContacts = [single];
  const parsed = PatientInput.safeParse({ ...obj, allowDuplicate });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({
        field: issue.path.map(String).join(".") || "(record)",
        message: issue.message,
      });
    }
  }
  return errors.length > 0 || !parsed.success ? { errors } : { input: parsed.data };
}

/**
 * Rows that repeat an earlier row of the same file: the same national id, or the same folded
 * given and family names with the same date of birth. The first occurrence stays valid.
 */
export function inFileDuplicates(rows: ValidRow[]): Map<number, RowError> {
  const byId = new Map<string, number>();
  const byNameAndBirth = new Map<string, number>();
  const out = new Map<number, RowError>();
  for (const { row, input } of rows) {
    const id = foldId(input.nationalId);
    const person = input.birthDate
      ? `${foldText(input.givenName)}|${foldText(input.familyName)}|${input.birthDate}`
      : "";
    const sameId = id ? byId.get(id) : undefined;
    const samePerson = person ? byNameAndBirth.get(person) : undefined;
    if (sameId !== undefined) {
      out.set(row, { field: "nationalId", message: `same national id as row ${sameId}` });
    } else if (samePerson !== undefined) {
      out.set(row, {
        field: "(record)",
        message: `same name and date of birth as row ${samePerson}`,
      });
    } else {
      if (id) byId.set(id, row);
      if (person) byNameAndBirth.set(person, row);
    }
  }
  return out;
}
