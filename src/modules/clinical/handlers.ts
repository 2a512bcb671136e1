import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { prescriptionPdf } from "./prescription-print.ts";
import { actorOf, type AppEnv } from "../../lib/context.ts";
import { created, ifMatch, withEtag } from "../../lib/http.ts";
import * as notes from "./notes.ts";
import * as prescriptions from "./prescriptions.ts";
import * as rxRoutes from "./routes-prescriptions.ts";
import * as routes from "./routes.ts";
import * as noteRoutes from "./routes-notes.ts";
import * as vitals from "./vitals.ts";

export function registerVitalsHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(routes.recordVitals, async (c) => {
    const result = await vitals.recordVitals(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return c.json(result, 201);
  });
  r.openapi(
    routes.visitVitals,
    async (c) =>
      c.json(await vitals.visitVitals(c.get("deps"), actorOf(c), c.req.valid("param").id), 200),
  );
  r.openapi(
    routes.readObservation,
    async (c) =>
      withEtag(c, await vitals.readObservation(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(routes.removeObservation, async (c) =>
    withEtag(
      c,
      await vitals.removeObservation(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        ifMatch(c),
      ),
    ));
  r.openapi(routes.patientVitals, async (c) =>
    c.json(
      await vitals.patientVitals(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("query"),
      ),
      200,
    ));
}

export function registerNoteHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(noteRoutes.write, async (c) => {
    const n = await notes.writeNote(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      c.req.valid("json"),
    );
    return created(c, n, `/notes/${n.id}`);
  });
  r.openapi(
    noteRoutes.visitNotes,
    async (c) =>
      c.json(await notes.visitNotes(c.get("deps"), actorOf(c), c.req.valid("param").id), 200),
  );
  r.openapi(
    noteRoutes.read,
    async (c) =>
      withEtag(c, await notes.readNote(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(noteRoutes.edit, async (c) =>
    withEtag(
      c,
      await notes.editDraft(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
        ifMatch(c),
      ),
    ));
  r.openapi(
    noteRoutes.sign,
    async (c) =>
      withEtag(c, await notes.signNote(c.get("deps"), actorOf(c), c.req.valid("param").id)),
  );
  r.openapi(noteRoutes.amend, async (c) =>
    withEtag(
      c,
      await notes.amendNote(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
    ));
  r.openapi(
    noteRoutes.versions,
    async (c) =>
      c.json(await notes.noteVersions(c.get("deps"), actorOf(c), c.req.valid("param").id), 200),
  );
}

export function registerPrescriptionHandlers(r: OpenAPIHono<AppEnv>) {
  r.openapi(rxRoutes.create, async (c) => {
    const p = await prescriptions.prescribe(c.get("deps"), actorOf(c), c.req.valid("json"));
    return created(c, p, `/prescriptions/${p.id}`);
  });
  const pdfOf = async (c: Context<AppEnv>, id: string) => {
    const { number, bytes } = await prescriptionPdf(c.get("deps"), actorOf(c), id);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": "application/pdf",
      "Content-Disposition": `inline; filename="${number}.pdf"`,
      "Cache-Control": "private, no-store",
    });
  };
  r.openapi(rxRoutes.read, async (c) => {
    const id = c.req.valid("param").id;
    if (/application\/pdf/.test(c.req.header("accept") ?? "")) return await pdfOf(c, id) as never;
    return withEtag(c, await prescriptions.readPrescription(c.get("deps"), actorOf(c), id));
  });
  r.openapi(rxRoutes.pdf, async (c) => await pdfOf(c, c.req.valid("param").id) as never);
  r.openapi(rxRoutes.cancel, async (c) =>
    withEtag(
      c,
      await prescriptions.cancelPrescription(
        c.get("deps"),
        actorOf(c),
        c.req.valid("param").id,
        c.req.valid("json").reason,
      ),
    ));
  r.openapi(rxRoutes.ofPatient, async (c) => {
    const q = c.req.valid("query");
    const data = await prescriptions.patientPrescriptions(
      c.get("deps"),
      actorOf(c),
      c.req.valid("param").id,
      { live: q.live === "true", limit: q.limit },
    );
    return c.json({ data }, 200);
  });
}
