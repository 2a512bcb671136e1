/**
 * Content sniffing: what a file is comes from its bytes. A name or a client-sent Content-Type
 * would let a script or an HTML page in as "report.pdf" and out again to a browser.
 */
import { DOCUMENT_MEDIA_TYPES, type DocumentMediaType } from "./schemas.ts";

const ALLOWED = new Set<string>(DOCUMENT_MEDIA_TYPES);

/** The file's media type when it is one we accept, else undefined. */
export async function detectMediaType(bytes: Uint8Array): Promise<DocumentMediaType | undefined> {
  // Loaded on the first upload, not at start (~25 ms of a cold start).
  const { fileTypeFromBuffer } = await import("file-type");
  const found = await fileTypeFromBuffer(bytes);
  return found && ALLOWED.has(found.mime) ? found.mime as DocumentMediaType : undefined;
}
