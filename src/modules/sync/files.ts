/**
 * Document files follow their rows. A replica uploads the bytes of each file row it created
 * once the row has reached the primary, in parts the primary appends and checks against the
 * row's SHA-256 when complete, so an upload cut off anywhere resumes from what arrived. A
 * replica that lacks a file (one made at headquarters or at another clinic) fetches it from the
 * primary on first download and keeps it.
 *
 * Tables declare their files in the manifest (`file` in the table's spec); nothing here knows
 * documents.
 */
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { readOwnInserts } from "../../../db/changes.ts";
import { syncState } from "../../../db/schema/mod.ts";
import type { BusinessTable } from "../../../db/tenant.ts";
import type { Deps, TableSpec } from "../../lib/context.ts";
import { notFound, ProblemError, unprocessable } from "../../lib/errors.ts";
import type { DocumentStorage } from "../../lib/services.ts";
import type { NodeCaller } from "./primary.ts";

/** Parts of at most this size: well under the JSON body limit every route shares. */
export const CHUNK_BYTES = 512 * 1024;

interface FileRow {
  storageKey: string;
  sha256: string;
  sizeBytes: number;
}

const fileTables = (deps: Deps) =>
  [...deps.registry.tables].filter(([, t]) => t.spec.file) as [
    string,
    { spec: TableSpec & { file: NonNullable<TableSpec["file"]> } },
  ][];

/** The file a row of the organisation describes, whichever table holds it. */
async function fileRow(deps: Deps, orgId: string, id: string): Promise<FileRow | undefined> {
  for (const [, { spec }] of fileTables(deps)) {
    const table = spec.table as BusinessTable;
    const [row] = await deps.db.db.select({
      storageKey: spec.file.storageKey,
      sha256: spec.file.sha256,
      sizeBytes: spec.file.sizeBytes,
    }).from(table as never).where(and(eq(table.id, id), eq(table.orgId, orgId)));
    if (row) return row as FileRow;
  }
  return undefined;
}

const partialKey = (row: FileRow) => `${row.storageKey}-partial`;

async function sha256Of(storage: DocumentStorage, key: string) {
  const stream = await storage.get(key);
  const hash = createHash("sha256");
  if (stream) { for await (const chunk of stream) hash.update(chunk); }
  return hash.digest("hex");
}

// The primary's side.

export async function uploadState(deps: Deps, node: NodeCaller, id: string) {
  const row = await fileRow(deps, node.orgId, id);
  if (!row) throw notFound("File row");
  if ((await deps.documents.size(row.storageKey)) !== undefined) {
    return { received: row.sizeBytes, size: row.sizeBytes, complete: true };
  }
  const received = (await deps.documents.size(partialKey(row))) ?? 0;
  return { received, size: row.sizeBytes, complete: false };
}

/**
 * Appends one part at `offset` (which must be what has arrived: 409 with the right offset
 * otherwise). The last part completes the file, which must hash to the row's SHA-256 (422, and
 * the parts are dropped, otherwise).
 */
export async function receivePart(
  deps: Deps,
  node: NodeCaller,
  id: string,
  offset: number,
  bytes: Uint8Array,
) {
  const state = await uploadState(deps, node, id);
  if (state.complete) return state;
  if (offset !== state.received) {
    throw new ProblemError(409, `Send from offset ${state.received}.`, {
      received: state.received,
    });
  }
  if (offset + bytes.byteLength > state.size) {
    throw unprocessable(`The file is ${state.size} bytes; this part goes past its end.`);
  }
  const row = (await fileRow(deps, node.orgId, id))!;
  const received = await deps.documents.append(partialKey(row), bytes);
  if (received < state.size) return { received, size: state.size, complete: false };
  if (await sha256Of(deps.documents, partialKey(row)) !== row.sha256) {
    await deps.documents.remove(partialKey(row));
    throw unprocessable("The file received does not match its SHA-256; send it again.");
  }
  await deps.documents.rename(partialKey(row), row.storageKey);
  deps.logger.info("sync: file received", { node: node.siteCode, id, bytes: state.size });
  return { received, size: state.size, complete: true };
}

export async function serveFile(deps: Deps, node: NodeCaller, id: string) {
  const row = await fileRow(deps, node.orgId, id);
  const stream = row && await deps.documents.get(row.storageKey);
  if (!row || !stream) throw notFound("File");
  return { row, stream };
}

// The replica's side.

type Call = (path: string, init?: RequestInit) => Promise<Response>;

/**
 * Uploads the files of rows this node created that have reached the primary (up to its push
 * cursor); answers how many it completed. Each completed file moves the cursor, so a cut-off
 * round resumes with the file it was sending, from the part the primary last stored.
 */
export async function uploadFiles(deps: Deps, call: Call): Promise<number> {
  const tables = fileTables(deps).map(([name]) => name);
  if (tables.length === 0) return 0;
  const [state] = await deps.db.db.select().from(syncState).where(eq(syncState.id, 1));
  const rows = await readOwnInserts(deps.db.db, state.orgId, tables, {
    after: state.filesSeq,
    through: state.pushedSeq,
  }, 100);
  let done = 0;
  for (const entry of rows) {
    const row = await fileRow(deps, state.orgId, entry.rowId);
    const bytes = row && await readAll(deps.documents, row.storageKey);
    if (row && bytes) {
      const res = await call(`files/${entry.rowId}/upload`);
      if (!res.ok) throw new Error(`the primary answered ${res.status} to a file's state`);
      let { received, complete } = await res.json();
      while (!complete) {
        const part = bytes.subarray(received, received + CHUNK_BYTES);
        const put = await call(`files/${entry.rowId}?offset=${received}`, {
          method: "PUT",
          body: part,
          headers: { "content-type": "application/octet-stream" },
        });
        if (!put.ok) throw new Error(`the primary answered ${put.status} to a file part`);
        ({ received, complete } = await put.json());
      }
      done++;
    }
    await deps.db.transaction((tx) =>
      tx.update(syncState).set({ filesSeq: entry.seq }).where(eq(syncState.id, 1))
    );
  }
  return done;
}

async function readAll(storage: DocumentStorage, key: string) {
  const stream = await storage.get(key);
  if (!stream) return undefined;
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * A replica's document storage: what is not here is fetched from the primary on first read
 * (checked against the row's SHA-256) and kept.
 */
export function withPrimaryFallback(deps: Deps, local: DocumentStorage, call: Call) {
  return {
    ...local,
    async get(key: string) {
      const here = await local.get(key);
      if (here) return here;
      const [orgId, id] = key.split("/");
      const row = id ? await fileRow(deps, orgId, id) : undefined;
      if (!row) return undefined;
      try {
        const res = await call(`files/${id}`);
        if (!res.ok) {
          await res.body?.cancel();
          return undefined;
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (createHash("sha256").update(bytes).digest("hex") !== row.sha256) return undefined;
        await local.put(key, bytes);
        deps.logger.info("sync: file fetched from the primary", { id, bytes: bytes.byteLength });
        return await local.get(key);
      } catch (err) {
        deps.logger.warn("sync: could not fetch a file from the primary", {
          id,
          error: String(err),
        });
        return undefined;
      }
    },
  } satisfies DocumentStorage;
}
