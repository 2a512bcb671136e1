/**
 * The spreadsheet layout of a patient record, shared by export and import so that an export can
 * be edited and imported again: one column per scalar field (camelCase, as in the API), dotted
 * columns for the address and preferences (`address.city`), tags as a comma-separated list, and
 * the other list fields (otherPhones, identifiers, emergencyContacts, insurance) as JSON.
 *
 * Import headers are matched without case, spaces or punctuation, and friendly names people use
 * in their own sheets ("First name", "Surname", "DOB", "Gender", "National ID") are aliases.
 */
import { foldText } from "../../lib/normalize.ts";

/** How a cell becomes a value of the PatientInput object. */
export type ColumnKind =
  | "text"
  | "date"
  | "bool"
  | "number"
  | "json"
  | "sex"
  | "enum"
  | "tags"
  | "phones";

export interface Column {
  /** Header in exports; the canonical import name. */
  name: string;
  /** Where the value goes in PatientInput: "givenName", "address.city". */
  path: string;
  kind: ColumnKind;
  aliases?: string[];
  /** Export only: read-only record fields, ignored (with a warning) on import. */
  readOnly?: boolean;
}

const c = (name: string, kind: ColumnKind, aliases: string[] = []): Column => ({
  name,
  path: name,
  kind,
  aliases,
});
const readOnly = (name: string, aliases: string[] = []): Column => ({
  ...c(name, "text", aliases),
  readOnly: true,
});

/** Export order. */
export const COLUMNS: Column[] = [
  readOnly("id"),
  readOnly("mrn", ["medical record number"]),
  c("givenName", "text", ["first name", "forename", "given", "first"]),
  c("middleName", "text", ["middle", "second name"]),
  c("familyName", "text", ["last name", "surname", "family", "last"]),
  c("birthDate", "date", ["dob", "date of birth", "birthday", "born"]),
  c("birthDateEstimated", "bool", ["dob estimated", "estimated birth date"]),
  c("sex", "sex", ["gender"]),
  c("phone", "text", ["phone number", "mobile", "telephone", "tel", "cell"]),
  c("otherPhones", "phones", ["other phones", "other phone numbers"]),
  c("email", "text", ["email address", "e-mail"]),
  c("nationalId", "text", ["national id number", "id number", "nin", "document id"]),
  c("identifiers", "json"),
  c("address.line", "text", ["address line", "street", "address"]),
  c("address.city", "text", ["city", "town"]),
  c("address.district", "text", ["district"]),
  c("address.region", "text", ["region", "county", "state", "province"]),
  c("address.postalCode", "text", ["postal code", "postcode", "zip"]),
  c("address.country", "text", ["country"]),
  c("address.accessNotes", "text", ["access notes", "directions"]),
  c("address.latitude", "number", ["latitude", "lat"]),
  c("address.longitude", "number", ["longitude", "lng", "lon"]),
  c("emergencyContacts", "json"),
  c("emergencyContact.name", "text", ["emergency contact", "next of kin"]),
  c("emergencyContact.phone", "text", ["emergency phone", "next of kin phone"]),
  c("emergencyContact.relationship", "text", ["next of kin relationship"]),
  c("insurance", "json"),
  c("tags", "tags"),
  c("preferences.language", "text", ["language", "preferred language"]),
  c("preferences.contactMethod", "enum", ["contact method"]),
  c("preferences.notes", "text"),
  c("status", "enum"),
  c("deceasedDate", "date", ["date of death"]),
  readOnly("lastVisitAt"),
  readOnly("mergedInto"),
  readOnly("version"),
  readOnly("createdAt"),
  readOnly("updatedAt"),
];

/** Columns that exist for import convenience only: the export writes `emergencyContacts`. */
export const IMPORT_ONLY = new Set([
  "emergencyContact.name",
  "emergencyContact.phone",
  "emergencyContact.relationship",
]);

const fold = (header: string) => foldText(header);

const BY_HEADER = new Map<string, Column>();
for (const col of COLUMNS) {
  for (const alias of [col.name, ...(col.aliases ?? [])]) BY_HEADER.set(fold(alias), col);
}

/** The column a header names, if any. */
export const columnOf = (header: string): Column | undefined => BY_HEADER.get(fold(header));

/** Cell values as the readers give them: CSV gives strings, XLSX also numbers, booleans, dates. */
export type Cell = string | number | boolean | Date | null | undefined;

export class CellError extends Error {}

const TRUE = new Set(["true", "yes", "y", "1"]);
const FALSE = new Set(["false", "no", "n", "0"]);
const SEX: Record<string, string> = {
  f: "female",
  female: "female",
  woman: "female",
  m: "male",
  male: "male",
  man: "male",
  o: "other",
  other: "other",
  u: "unknown",
  unknown: "unknown",
};

/**
 * Exports prefix risky cells with `'` against formula injection; a cell that starts with `'` and
 * then such a character is taken back without it, so an exported file imports unchanged.
 */
const unguard = (s: string) => /^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s;

const splitList = (s: string) => s.split(/[,;]/).map((x) => x.trim()).filter((x) => x.length > 0);

/** A cell as the value PatientInput expects; undefined for an empty cell. Leaves wrong types for
 * the schema to reject with its own message. Throws CellError for unreadable JSON. */
export function cellValue(kind: ColumnKind, cell: Cell): unknown {
  if (cell === null || cell === undefined) return undefined;
  if (cell instanceof Date) {
    if (Number.isNaN(cell.getTime())) throw new CellError("not a valid date");
    // XLSX dates carry no zone; the reader gives them as UTC midnight.
    return kind === "date" ? cell.toISOString().slice(0, 10) : cell.toISOString();
  }
  if (typeof cell === "number") {
    if (kind === "number") return cell;
    if (kind === "bool" && (cell === 0 || cell === 1)) return cell === 1;
    return String(cell);
  }
  if (typeof cell === "boolean") return kind === "bool" ? cell : String(cell);
  const s = unguard(cell.trim());
  if (s === "") return undefined;
  switch (kind) {
    case "bool":
      return TRUE.has(s.toLowerCase()) ? true : FALSE.has(s.toLowerCase()) ? false : s;
    case "number":
      return Number.isFinite(Number(s)) ? Number(s) : s;
    case "sex":
      return SEX[s.toLowerCase()] ?? s;
    case "enum":
      return s.toLowerCase();
    case "json":
      return parseJson(s);
    case "tags":
      return s.startsWith("[") ? parseJson(s) : splitList(s);
    case "phones":
      return s.startsWith("[") ? parseJson(s) : splitList(s).map((number) => ({ number }));
    default:
      return s;
  }
}

function parseJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    throw new CellError("must be valid JSON");
  }
}

/** Sets `obj.a.b` for the path "a.b", making the intermediate object. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown) {
  const dot = path.indexOf(".");
  if (dot < 0) {
    obj[path] = value;
    return;
  }
  const head = path.slice(0, dot);
  const inner = (obj[head] ??= {}) as Record<string, unknown>;
  inner[path.slice(dot + 1)] = value;
}
