import { z } from "@hono/zod-openapi";
import { json, multipartBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { ExportQuery, ImportQuery, ImportReport, ImportUpload } from "./schemas.ts";

const tags = ["Patients"];

export const exportCsv = defineRoute({
  method: "get",
  path: "/patients/export",
  tags,
  access: "patients:export",
  summary: "Export patients as CSV",
  description: "Streams every patient matching the search filters (and `q`) as CSV, UTF-8 with " +
    "a BOM, a header row and one row per patient, as an attachment named patients-YYYY-MM-DD.csv. " +
    "Columns are the record's fields as the caller's role may see them: camelCase names as in " +
    "the API, the address and preferences as dotted columns (`address.city`), tags comma-" +
    "separated, other lists (otherPhones, identifiers, emergencyContacts, insurance) as JSON. " +
    "A cell starting with = + - @ tab or CR gets a leading `'` so spreadsheets never run it as " +
    "a formula. The export is audited (patient.export, with the filters) and so is every " +
    "patient it contains. The file imports back through POST /patients/import.",
  request: { query: ExportQuery },
  responses: {
    200: {
      description: "The CSV file",
      content: { "text/csv": { schema: z.string() } },
      headers: {
        "Content-Disposition": {
          description: 'attachment; filename="patients-YYYY-MM-DD.csv"',
          schema: { type: "string" },
        },
      },
    },
  },
});

export const importFile = defineRoute({
  method: "post",
  path: "/patients/import",
  tags,
  access: "patients:import",
  summary: "Import patients from CSV or XLSX",
  description: "multipart/form-data with the file in the field `file`; its type is detected " +
    "from the content (XLSX: a ZIP; CSV: UTF-8 text), anything else answers 415. The first row " +
    "names the columns: the camelCase fields of POST /patients (as an export writes them), or " +
    "friendly names (First name, Surname, DOB, Gender, Phone, National ID, City, …), without " +
    "regard to case or spacing; unknown columns are reported once in `warnings`; a header " +
    "without givenName and familyName answers 422 before any row. Every row is validated like " +
    "POST /patients and checked for duplicates among registered patients and earlier rows of " +
    "the file (same national id, or same names and date of birth). All rows are registered in " +
    "one transaction, each with its MRN and audit entry, plus one patient.import entry. " +
    "`mode=all-or-nothing` (default): any rejected row and nothing is written: 422 with " +
    "`rejected: [{row, errors: [{field, message}]}]`. `mode=partial`: valid rows are registered " +
    "and rejected ones reported, 200. `dryRun=true` writes nothing and answers what the real " +
    "run would. The file is read within limits checked as it is read (off the main thread), " +
    "and the first one crossed answers a problem naming it. 413: a file over IMPORT_MAX_BYTES, " +
    "more than IMPORT_MAX_ROWS data rows (or more than 2 × (IMPORT_MAX_ROWS + 1) rows " +
    "counting blank ones), or an XLSX whose parts inflate past IMPORT_MAX_UNZIPPED_BYTES " +
    "(shared strings counted each time a cell uses them). 422: more than IMPORT_MAX_COLUMNS " +
    "columns, a cell over IMPORT_MAX_CELL_CHARS characters, or a cell referenced beyond those " +
    "limits (e.g. XFD2000000), as well as unreadable CSV. 415: not a CSV or a readable XLSX " +
    "(also a part with a DOCTYPE). 429 with Retry-After: IMPORT_MAX_CONCURRENT files are " +
    "already being read. Only the first sheet of a workbook is read.",
  request: { query: ImportQuery, body: multipartBody(ImportUpload) },
  responses: { 200: json(ImportReport, "What was imported and what was rejected") },
  errors: [413, 415, 422, 429, 503],
});
