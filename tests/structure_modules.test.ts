/**
 * The module list is complete: the checks that make forgetting a step impossible, run on the
 * real list (no problem) and on lists with a step deliberately left out (each named, with its
 * module). A module added tomorrow is checked the day it joins src/modules/index.ts.
 */
import assert from "node:assert/strict";
import { z } from "@hono/zod-openapi";
import { sqliteTable, text } from "drizzle-orm/sqlite-core";
import * as schema from "../db/schema/mod.ts";
import { businessColumns } from "../db/schema/columns.ts";
import { API_PREFIX, SPEC_PATH } from "../src/app.ts";
import {
  buildRegistry,
  defineModule,
  entityTypeOf,
  manifestProblems,
  type ModuleDef,
  routeProblems,
  tableNameOf,
  tablesOf,
} from "../src/lib/module.ts";
import { defineRoute } from "../src/middleware/define-route.ts";
import { json } from "../src/lib/openapi.ts";
import { createRouter } from "../src/lib/router.ts";
import { MODULES } from "../src/modules/index.ts";
import { createTestApp } from "./helpers/app.ts";
import { createOrg, createPatient } from "./helpers/factories.ts";

const SCHEMA = { tables: tablesOf(schema), patients: schema.patients };
const named = (name: string) => MODULES.find((m) => m.name === name)!;
const replacing = (name: string, replacement: ModuleDef) =>
  MODULES.map((m) => m.name === name ? replacement : m);

Deno.test("the module list", async (t) => {
  await t.step("declares every table, patient column and permission: no problem", () => {
    assert.ok(SCHEMA.tables.length >= 20, `only ${SCHEMA.tables.length} tables read`);
    assert.deepEqual(manifestProblems(MODULES, SCHEMA), []);
  });

  await t.step("every module folder has the same shape and is in the list", () => {
    const root = new URL("../src/modules/", import.meta.url);
    const folders = [...Deno.readDirSync(root)].filter((e) => e.isDirectory).map((e) => e.name);
    assert.deepEqual(folders.sort(), MODULES.map((m) => m.name).sort());
    for (const folder of folders) {
      const files = new Set([...Deno.readDirSync(new URL(`${folder}/`, root))].map((e) => e.name));
      for (const file of ["mod.ts", "routes.ts", "handlers.ts", "service.ts", "schemas.ts"]) {
        assert.ok(files.has(file), `module ${folder} has no ${file}`);
      }
    }
  });

  await t.step("a module without its patient reference fails, naming module and step", () => {
    const { patientReferences: _left, ...rest } = named("allergies");
    const problems = manifestProblems(replacing("allergies", rest), SCHEMA);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^module allergies: column patient_allergies\.patient_id holds a patient id but is not in its `patientReferences`/,
    );
  });

  await t.step("a table no module declares fails, naming the table", () => {
    const docs = named("patient-documents");
    const problems = manifestProblems(
      replacing("patient-documents", { ...docs, tables: [] }),
      SCHEMA,
    );
    assert.ok(
      problems.includes(
        "table patient_documents is declared by no module: add it to a module's `tables`",
      ),
      problems.join("\n"),
    );
  });

  await t.step("a new business table must say whether it keeps versions, and why not", () => {
    const notes = sqliteTable("test_notes", {
      ...businessColumns(),
      patientId: text("patient_id").notNull().references(() => schema.patients.id),
      body: text("body"),
    });
    const module = defineModule({
      name: "notes",
      tables: [{ table: notes, sync: "queue", notVersioned: " " }],
      patientReferences: [notes.patientId],
    });
    const problems = manifestProblems([...MODULES, module], {
      ...SCHEMA,
      tables: [...SCHEMA.tables, notes],
    });
    assert.deepEqual(problems, [
      "module notes: table test_notes is not versioned and gives no reason",
    ]);
    // Declared twice is refused outright.
    assert.throws(
      () => buildRegistry([...MODULES, module, { ...module, name: "notes-again" }]),
      /table test_notes is declared by both module notes and module notes-again/,
    );
  });

  await t.step("a permission granted to no role, or used by no module, fails", () => {
    const probe = defineRoute({
      method: "get",
      path: "/probe",
      tags: ["Probe"],
      access: "probes:read",
      summary: "A route whose permission nobody declares",
      responses: { 200: json(z.object({}), "Nothing") },
    });
    const rogue = defineModule({
      name: "probe",
      routes: () => {
        const r = createRouter();
        r.openapi(probe, (c) => c.json({}, 200));
        return r;
      },
      permissions: { "probes:write": [] },
    });
    const modules = [...MODULES, rogue];
    assert.deepEqual(manifestProblems(modules, SCHEMA), [
      "module probe: permission probes:write is granted to no role",
    ]);
    assert.deepEqual(routeProblems(buildRegistry(modules), API_PREFIX, []), [
      "module probe: GET /api/v1/probe requires probes:read, which no module grants to any " +
      "role (add it to a module's `permissions`)",
    ]);
  });

  await t.step("every route the app serves belongs to a module of the list", async () => {
    const app = await createTestApp();
    const served = app.app.routes.map((r) => ({ method: r.method, path: r.path }));
    assert.ok(served.some((r) => r.path === `${API_PREFIX}/patients/:id`));
    assert.deepEqual(
      routeProblems(app.deps.registry, API_PREFIX, served, [SPEC_PATH]),
      [],
    );
    // A route mounted beside the list is found.
    app.app.get(`${API_PREFIX}/rogue`, (c) => c.text("hi"));
    const again = app.app.routes.map((r) => ({ method: r.method, path: r.path }));
    assert.deepEqual(routeProblems(app.deps.registry, API_PREFIX, again, [SPEC_PATH]), [
      "GET /api/v1/rogue is served but belongs to no module in the list",
    ]);
    await app.close();
  });
});

Deno.test("audit entries are named <entity type>.<operation>", async () => {
  const app = await createTestApp();
  try {
    const org = await createOrg(app);
    const reception = await org.tokenFor("RECEPTION");
    const doctor = await org.tokenFor("DOCTOR");
    const admin = org.admin;
    const a = await createPatient(app, reception);
    const b = await createPatient(app, reception);
    const p = `/api/v1/patients/${a.id}`;
    const form = new FormData();
    form.append("file", new File([new TextEncoder().encode("%PDF-1.4\n%%EOF\n")], "x.pdf"));
    const doc = await app.call("POST", `${p}/documents`, { token: doctor, body: form });
    const calls: [string, string, string, unknown?][] = [
      ["GET", p, reception],
      ["PATCH", p, reception, { phone: "+254 700 000 001" }],
      ["GET", "/api/v1/patients?q=amani", reception],
      ["GET", `${p}/summary`, doctor],
      ["GET", `${p}/history`, doctor],
      ["POST", `${p}/allergies`, doctor, {
        substance: "Latex",
        category: "other",
        severity: "mild",
      }],
      ["GET", `${p}/allergies`, doctor],
      ["POST", `${p}/medical-history`, doctor, { kind: "condition", name: "Asthma" }],
      ["GET", `${p}/documents`, doctor],
      ["GET", `${p}/documents/${doc.body.id}`, doctor],
      ["GET", `${p}/documents/${doc.body.id}/content`, doctor],
      ["GET", `${p}/duplicates`, admin],
      ["POST", `${p}/merge`, admin, { duplicateId: b.id }],
      ["POST", `${p}/unmerge`, admin, { duplicateId: b.id }],
      ["GET", "/api/v1/patients/export?format=csv", admin],
      ["POST", "/api/v1/facilities", admin, { name: "Annex", code: "annex" }],
      ["GET", "/api/v1/audit-events", doctor],
      ["POST", "/api/v1/auth/login", "", { email: org.adminEmail, password: "wrong-password-1" }],
    ];
    for (const [method, path, token, body] of calls) {
      const res = await app.call(method, path, { token: token || undefined, body });
      assert.ok(res.status < 500, `${method} ${path}: ${res.status}`);
    }
    await app.deps.audit.flush();
    const entityTypes = new Set(
      SCHEMA.tables.filter((t) => app.deps.registry.tables.has(tableNameOf(t))).map(entityTypeOf),
    );
    const rows = await app.deps.db.readRows(
      "SELECT DISTINCT action, entity_type FROM audit_events",
      [],
    );
    assert.ok(rows.length >= 25, `only ${rows.length} kinds of entry recorded`);
    for (const [action, entityType] of rows as [string, string | null][]) {
      // Authentication and authorisation events are about the request, not a row.
      if (/^(auth|access)\.[a-z-]+(\.[a-z-]+)?$/.test(action)) continue;
      const [type, operation, ...rest] = action.split(".");
      assert.ok(entityTypes.has(type), `${action}: ${type} is no table's entity type`);
      assert.match(operation ?? "", /^[a-z]+(-[a-z]+)*$/, action);
      assert.equal(rest.length, 0, `${action}: one operation after the entity type`);
      assert.equal(entityType, type, `${action} is recorded with entity type ${entityType}`);
    }
  } finally {
    await app.close();
  }
});
