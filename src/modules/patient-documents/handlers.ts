import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { expectedVersion } from "../../lib/openapi.ts";
import { contentDisposition, downloadName } from "./filename.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerDocumentHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.upload, async (c) => {
    const { id } = c.req.valid("param");
    const doc = await service.uploadDocument(c.var.deps, actorOf(c), id, c.req.valid("form"));
    return c.json(doc, 201, {
      Location: `/api/v1/patients/${id}/documents/${doc.id}`,
      ETag: `"${doc.version}"`,
    });
  });
  r.openapi(routes.list, async (c) => {
    const page = await service.listPatientDocuments(
      c.var.deps,
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
  r.openapi(routes.read, async (c) => {
    const { id, documentId } = c.req.valid("param");
    const doc = await service.readDocument(c.var.deps, actorOf(c), id, documentId);
    return c.json(doc, 200, { ETag: `"${doc.version}"` });
  });
  r.openapi(routes.content, async (c) => {
    const { id, documentId } = c.req.valid("param");
    const { row, stream } = await service.openDocument(c.var.deps, actorOf(c), id, documentId);
    return c.body(stream, 200, {
      "Content-Type": row.mediaType,
      "Content-Length": String(row.sizeBytes),
      "Content-Disposition": contentDisposition(downloadName(row.fileName, row.mediaType)),
      "X-Content-Type-Options": "nosniff",
      // Patient data: no shared cache may keep it.
      "Cache-Control": "private, no-store",
      ETag: `"${row.sha256}"`,
    });
  });
  r.openapi(routes.remove, async (c) => {
    const { id, documentId } = c.req.valid("param");
    await service.deleteDocument(
      c.var.deps,
      actorOf(c),
      id,
      documentId,
      expectedVersion(c.req.valid("header")["if-match"]),
    );
    return c.body(null, 204);
  });
}
