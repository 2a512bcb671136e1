/**
 * The server as `deno task start` runs it: the minified bundle `deno task build` writes under
 * dist/server/, in a real process. Everything it reads by path at run time or starts as a worker
 * is found from the bundle too: the migrations (on a fresh database), the API docs' assets, the
 * common-password list, the prescription's fonts, the audit writer and the import parser.
 */
import assert from "node:assert/strict";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { openDatabase } from "../db/client.ts";
import { createTestApp, PASSWORD } from "./helpers/app.ts";
import { freePort, http, loginAt, SECRET, serve } from "./helpers/cluster.ts";
import { tsFiles } from "./helpers/import-graph.ts";
import {
  createOrg,
  createPatient,
  createStaff,
  login,
  paracetamolFor,
} from "./helpers/factories.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function build() {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", "build"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, `deno task build failed:\n${text}`);
}

Deno.test("every worker the server starts is an entry point of the bundle", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const entries = new Set(String(config.tasks.build).split(/\s+/).filter((w) => w.endsWith(".ts")));
  const workers = new Set<string>();
  for await (const file of tsFiles(`${ROOT}src`)) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(/workerScript\(\s*"([^"]+)"/g)) workers.add(m[1]);
  }
  assert.ok(workers.size >= 2, "the audit writer and the import parser at least");
  for (const w of workers) assert.ok(entries.has(w), `${w} is not in deno.json's build task`);
});

Deno.test("the bundled server", async (t) => {
  await build();
  const dir = await Deno.makeTempDir({ prefix: "clinic-bundle-" });
  try {
    // A fresh database: the bundled server applies every migration itself.
    const fresh = serve(`${dir}/fresh`, {}, freePort(), "dist/server/main.js");
    try {
      await fresh.waitFor('"listening"');
      await t.step("starts on a fresh database and answers", async () => {
        assert.equal((await http(fresh, "GET", "/api/v1/health")).status, 200);
        assert.equal((await http(fresh, "GET", "/api/v1/ready")).status, 200);
      });
    } finally {
      await fresh.stop();
    }

    // Staff, a patient and a prescription, written through the sources' app on the same file.
    const setup = await createTestApp({ DATA_DIR: `${dir}/clinic`, JWT_SECRET: SECRET });
    const org = await createOrg(setup);
    const doctorUser = await createStaff(setup, org.admin, "DOCTOR");
    const doctor = (await login(setup, doctorUser.email)).accessToken;
    const reception = await org.tokenFor("RECEPTION");
    const patient = await createPatient(setup, reception);
    const visit = await setup.call("POST", "/api/v1/encounters", {
      token: reception,
      body: { patientId: patient.id, facilityId: org.facilityId },
    });
    assert.equal(visit.status, 201, JSON.stringify(visit.body));
    const rx = await setup.call("POST", "/api/v1/prescriptions", {
      token: doctor,
      body: paracetamolFor(visit.body.id),
    });
    assert.equal(rx.status, 201, JSON.stringify(rx.body));
    await setup.close();

    const server = serve(
      `${dir}/clinic`,
      { AUDIT_FLUSH_MS: "50" },
      freePort(),
      "dist/server/main.js",
    );
    let stopped = false;
    try {
      await server.waitFor('"listening"');

      await t.step("serves the API docs and their assets", async () => {
        const page = await fetch(`${server.url}/docs`);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /swagger-ui/);
        const css = await fetch(`${server.url}/docs/swagger-ui.css`);
        assert.equal(css.status, 200);
        assert.ok((await css.text()).length > 10_000, "the stylesheet of swagger-ui-dist");
      });

      const admin = await loginAt(server, org.adminEmail);
      const asDoctor = await loginAt(server, doctorUser.email);

      await t.step("refuses a common password (the shipped list)", async () => {
        const res = await http(server, "POST", "/api/v1/auth/password", {
          token: admin,
          body: { currentPassword: PASSWORD, newPassword: "password1234" },
        });
        assert.equal(res.status, 422, JSON.stringify(res.body));
        assert.match(JSON.stringify(res.body), /common/);
      });

      await t.step("prints a prescription in its embedded fonts", async () => {
        const res = await fetch(`${server.url}/api/v1/prescriptions/${rx.body.id}/pdf`, {
          headers: { authorization: `Bearer ${asDoctor}` },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("content-type"), "application/pdf");
        const task = getDocument({ data: new Uint8Array(await res.arrayBuffer()) });
        const pdf = await task.promise;
        const page = await pdf.getPage(1);
        const text = (await page.getTextContent()).items.map((i: any) => i.str).join(" ");
        await task.destroy();
        for (const expected of [rx.body.number, patient.mrn, "Paracetamol 500 mg tablets"]) {
          assert.ok(text.includes(expected), `${expected} in the PDF: ${text.slice(0, 300)}`);
        }
      });

      await t.step("imports a CSV file in the parser worker", async () => {
        const form = new FormData();
        const csv = "givenName,familyName,birthDate,nationalId\nZawadi,Bundled,1980-04-05,BND-1\n";
        form.append("file", new File([csv], "patients.csv"));
        const res = await fetch(`${server.url}/api/v1/patients/import`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin}` },
          body: form,
        });
        const body = await res.json();
        assert.equal(res.status, 200, JSON.stringify(body));
        assert.equal(body.imported, 1);
      });

      await t.step("audits a read through the audit writer worker", async () => {
        const read = await http(server, "GET", `/api/v1/patients/${patient.id}`, { token: admin });
        assert.equal(read.status, 200);
        assert.equal(read.body.id, patient.id);
        await server.stop();
        stopped = true;
        // The worker logs an error and falls back to the main connection when it cannot start.
        assert.doesNotMatch(server.output(), /"level":"error"/, server.output().slice(-2000));
        const handle = openDatabase({ url: `file:${dir}/clinic/clinic.db` });
        try {
          const rows = await handle.readRows(
            "SELECT count(*) FROM audit_events WHERE action = 'patient.read' AND patient_id = ?",
            [patient.id],
          );
          assert.equal(rows[0][0], 1);
        } finally {
          handle.close();
        }
      });
    } finally {
      if (!stopped) await server.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
