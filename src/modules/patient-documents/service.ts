/**
 * Patient document rules. Upload: the patient must be live, the content must be a PDF or an
 * image we accept (sniffed from the bytes), within the configured size; the file is stored
 * under a key made of ids, then the row, change log, version and audit entry are written in one
 * transaction, and the file is removed again if that transaction fails. Reads are audited
 * (batched); deletes are soft and keep the file.
 */
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import { patientDocuments } from "../../../db/schema/mod.ts";
import type { Db } from "../../../db/client.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { entityTypeOf } from "../../lib/module.ts";
import { notFound, ProblemError } from "../../lib/errors.ts";
import { newId } from "../../../db/ids.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { livePatient, readablePatient, refuseMerged } from "../patients/mod.ts";
import { sanitizeFileName } from "./filename.ts";
import { type DocumentRow, findDocument, listDocuments } from "./repository.ts";
import type { DocumentUploadT, PatientDocumentT } from "./schemas.ts";
import { detectMediaType } from "./sniff.ts";

const ENTITY = entityTypeOf(patientDocuments);

export function toDocument(row: DocumentRow): PatientDocumentT {
  return {
    id: row.id,
    patientId: row.patientId,
    title: row.title,
    category: row.category as PatientDocumentT["category"],
    fileName: row.fileName,
    mediaType: row.mediaType as PatientDocumentT["mediaType"],
    sizeBytes: row.sizeBytes,
    sha256: row.sha256,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    version: row.version,
  };
}

/** Merged records are frozen (their documents moved to the survivor): 409, as for the record. */

const fileError = (status: 400 | 413 | 415, detail: string, message: string) =>
  new ProblemError(status, detail, { errors: [{ path: "file", in: "body", message }] });

/** Size and type checks, cheapest first; answers the bytes and what they are. */
async function checkFile(file: File, maxBytes: number) {
  if (file.size === 0) throw fileError(400, "The file is empty.", "must not be empty");
  if (file.size > maxBytes) {
    throw fileError(
      413,
      `The file is ${file.size} bytes; the limit is ${maxBytes}.`,
      `must be at most ${maxBytes} bytes`,
    );
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const mediaType = await detectMediaType(bytes);
  if (!mediaType) {
    throw fileError(
      415,
      "The file is not a PDF, PNG, JPEG or WebP image (judged by its content, not its name).",
      "must be a PDF, PNG, JPEG or WebP file",
    );
  }
  return { bytes, mediaType };
}

export async function uploadDocument(
  deps: Deps,
  a: Actor,
  patientId: string,
  input: DocumentUploadT,
): Promise<PatientDocumentT> {
  // Checked before any byte is stored, so that a wrong id leaves nothing behind; checked again
  // in the transaction, where it is race-free.
  refuseMerged(await readablePatient(deps, a.orgId, patientId));
  const { bytes, mediaType } = await checkFile(input.file, deps.config.documents.maxBytes);
  const fileName = sanitizeFileName(input.file.name, mediaType);
  const id = newId();
  const storageKey = `${a.orgId}/${id}`;
  // File first, row second: a crash in between leaves an orphan file (harmless, and findable by
  // key), never a row pointing at nothing.
  await deps.documents.put(storageKey, bytes);
  try {
    const row = await deps.db.transaction(async (tx) => {
      await livePatient(tx, a.orgId, patientId);
      const row = await insertTracked(tx, patientDocuments, {
        ...stamp(a.orgId, a.userId, deps.clock.now().toISOString(), id),
        patientId,
        title: input.title ?? fileName,
        category: input.category,
        fileName,
        mediaType,
        sizeBytes: bytes.byteLength,
        sha256: createHash("sha256").update(bytes).digest("hex"),
        storageKey,
      });
      await deps.audit.record(tx, a, {
        action: "patient-document.create",
        entityType: ENTITY,
        entityId: id,
        patientId,
      });
      return row;
    });
    return toDocument(row);
  } catch (err) {
    await deps.documents.remove(storageKey).catch((e) =>
      deps.logger.error("could not remove the file of a failed document upload", {
        requestId: a.requestId,
        storageKey,
        error: String(e),
      })
    );
    throw err;
  }
}

async function readableDocument(deps: Deps, a: Actor, patientId: string, id: string) {
  // A deleted patient's documents go with it, as its allergies and history do.
  await readablePatient(deps, a.orgId, patientId);
  const row = await findDocument(deps.db.db, a.orgId, patientId, id);
  if (!row) throw notFound("Document");
  return row;
}

export async function listPatientDocuments(
  deps: Deps,
  a: Actor,
  patientId: string,
  q: { limit: number; cursor?: string },
) {
  const after = decodeCursor(q.cursor);
  await readablePatient(deps, a.orgId, patientId);
  const rows = await listDocuments(deps.db.db, a.orgId, patientId, q.limit, after);
  deps.audit.recordRead(a, {
    action: "patient-document.list",
    entityType: ENTITY,
    entityId: patientId,
    patientId,
  });
  const page = pageOf(rows, q.limit, (r) => r.createdAt);
  return { data: page.data.map(toDocument), nextCursor: page.nextCursor };
}

export async function readDocument(deps: Deps, a: Actor, patientId: string, id: string) {
  const row = await readableDocument(deps, a, patientId, id);
  deps.audit.recordRead(a, {
    action: "patient-document.read",
    entityType: ENTITY,
    entityId: id,
    patientId,
  });
  return toDocument(row);
}

/**
 * The document and its content as a stream (never buffered: scans can be large). A row whose
 * file is gone is a storage fault, logged for the operator; the client gets a plain 404.
 */
export async function openDocument(deps: Deps, a: Actor, patientId: string, id: string) {
  const row = await readableDocument(deps, a, patientId, id);
  const stream = await deps.documents.get(row.storageKey);
  if (!stream) {
    deps.logger.error("document file missing from storage", {
      requestId: a.requestId,
      documentId: id,
      storageKey: row.storageKey,
    });
    throw new ProblemError(404, "The document's file is missing; ask an administrator.", {
      title: "File missing",
    });
  }
  deps.audit.recordRead(a, {
    action: "patient-document.download",
    entityType: ENTITY,
    entityId: id,
    patientId,
  });
  return { row, stream };
}

/**
 * Soft delete: the row is marked deleted and disappears from lists and downloads, but the file
 * stays in storage. A patient's documents may be under legal hold or needed to answer an audit
 * ("what did the clinic hold when?"), and a mistaken delete must be reversible; purging files is
 * a retention job's decision, not a click's.
 */
export async function deleteDocument(
  deps: Deps,
  a: Actor,
  patientId: string,
  id: string,
  expectedVersion: number | undefined,
): Promise<void> {
  await deps.db.transaction(async (tx: Db) => {
    await livePatient(tx, a.orgId, patientId);
    await auditedUpdate(deps, tx, a, {
      table: patientDocuments,
      label: "Document",
      entityType: ENTITY,
      id,
      expectedVersion,
      set: { deletedAt: deps.clock.now().toISOString() },
      operation: "delete",
      action: "patient-document.delete",
      patientId,
      // A document is found only under its own patient.
      scope: eq(patientDocuments.patientId, patientId),
    });
  });
}
