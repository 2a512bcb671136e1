import type { OpenAPIHono } from "@hono/zod-openapi";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, etagOf, ifMatch, withEtag } from "../../lib/http.ts";
import { contentDisposition, downloadName } from "./filename.ts";
import * as routes from "./routes.ts";
import * as service from "./service.ts";

export function registerDocumentHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.upload, async (c) => {
    const { id } = c.req.valid("param");
    const doc = await service.uploadDocument(c.get("deps"), actorOf(c), id, c.req.valid("form"));
    return created(c, doc, `/patients/${id}/documents/${doc.id}`);
  });
  r.openapi(routes.list, async (c) => {
    const page = await service.listPatientDocuments(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("query"),
    );
    return c.json(page, 200);
  });
  r.openapi(routes.read, async (c) => {
    const { id, documentId } = c.req.valid("param");
    const doc = await service.readDocument(c.get("deps"), actorOf(c), id, documentId);
    return withEtag(c, doc);
  });
  r.openapi(routes.content, async (c) => {
    const { id, documentId } = c.req.valid("param");
    const { row, stream } = await service.openDocument(c.get("deps"), actorOf(c), id, documentId);
    return c.body(stream, 200, {
      "Content-Type": row.mediaType,
      "Content-Length": String(row.sizeBytes),
      "Content-Disposition": contentDisposition(downloadName(row.fileName, row.mediaType)),
      "X-Content-Type-Options": "nosniff",
      // Patient data: no shared cache may keep it.
      "Cache-Control": "private, no-store",
      ETag: etagOf(row.sha256),
    });
  });
  r.openapi(routes.remove, async (c) => {
    const { id, documentId } = c.req.valid("param");
    await service.deleteDocument(
      c.get("deps"),
      actorOf(c),
      id,
      documentId,
      ifMatch(c),
    );
    return c.body(null, 204);
  });
}
