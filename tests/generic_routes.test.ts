/**
 * Generic tests driven by the served OpenAPI document: every operation, present and future, is
 * checked for authentication, permissions, tenant isolation, junk input and documented statuses
 * without anyone adding it to a list.
 */
import assert from "node:assert/strict";
import { type Role, ROLES, type TenantRole } from "../src/lib/permissions.ts";
import { schemaVersion } from "../db/migrate.ts";
import { nextHlc } from "../db/hlc.ts";
import { enqueueNotification } from "../src/modules/notifications/mod.ts";
import { createTestApp } from "./helpers/app.ts";
import {
  createOrg,
  createPatient,
  createStaff,
  login,
  superAdminToken,
} from "./helpers/factories.ts";
import { issuedInvoice } from "./helpers/billing-cash.ts";
import {
  type Operation,
  operations,
  sample,
  SAMPLE_PNG,
  sampleBody,
  sampleForm,
} from "./helpers/openapi.ts";

/** The only operations that may be called without a token. */
const PUBLIC = new Set([
  "GET /api/v1/health",
  "GET /api/v1/ready",
  "POST /api/v1/auth/login",
  "POST /api/v1/auth/refresh",
  "POST /api/v1/auth/invitations/accept",
  // Accounts: asking to join, and resetting a forgotten password (rate limited, no enumeration).
  "POST /api/v1/auth/register",
  "POST /api/v1/auth/password-reset/request",
  "POST /api/v1/auth/password-reset/confirm",
  // The second step of a login, and enrolment when a role requires it: the mfaToken is the
  // credential (5 minutes, 5 codes).
  "POST /api/v1/auth/2fa/setup",
  "POST /api/v1/auth/2fa/verify",
  // A calendar app sends no header: the token in the path is the credential.
  "GET /api/v1/calendar-feeds/{token}/calendar.ics",
]);

/**
 * Documented statuses these probes cannot provoke for every route; each is covered by the module
 * tests named here.
 */
const PROVEN_ELSEWHERE: Record<number, string> = {
  401: "auth tests (wrong password, unknown or reused refresh token)",
  409: "patients/users/organizations tests (duplicates) and idempotency races",
  422: "module tests for business rules",
  429: "auth tests (login rate limit)",
  403: "auth tests (deactivated account, foreign organisation)",
  503: "system tests (ready answers 503 on an unmigrated database)",
};

const JUNK_BODIES: unknown[] = [
  "not json at all",
  '{"unterminated": ',
  "[]",
  "null",
  "12345678901234567890",
  JSON.stringify({ givenName: 42, familyName: ["x"], email: { a: 1 }, limit: -1 }),
  JSON.stringify({ a: { b: { c: { d: { e: { f: "deep" } } } } }, "__proto__": { x: 1 } }),
  JSON.stringify({ name: "x".repeat(5000), birthDate: "9999-99-99", sex: "dragon" }),
  JSON.stringify({ organizationId: "'; DROP TABLE patients; --", refreshToken: "\u0000" }),
];

const JUNK_QUERIES = [
  "?limit=abc",
  "?limit=-5&cursor=%%%",
  "?limit=100000",
  "?cursor=eyJ2IjpbMV0sImlkIjp7fX0",
  "?sort=password&from=yesterday&q=" + "a".repeat(500),
  "?patientId=1%27%20OR%201=1&active=maybe",
  "?storeId=not-a-uuid&expiringWithinDays=-1",
  "?format=exe&status=bogus&days=-1",
];

const JUNK_IDS = ["not-a-uuid", "1%20OR%201=1", "x".repeat(300), "..%2F..%2Fetc%2Fpasswd"];

/**
 * `{id}` becomes `id`; any other path parameter (`{documentId}`, `{version}`) a sample of its
 * documented schema (a fresh UUID for a uuid).
 */
let specOfRun: any;
const concrete = (path: string, id: string) =>
  path.replace("{id}", id).replace(/\{(\w+)\}/g, (_, name: string) => {
    for (const item of Object.values<any>(specOfRun?.paths?.[path] ?? {})) {
      const param = item.parameters?.find((p: any) => p.in === "path" && p.name === name);
      if (param) return String(sample(specOfRun, param.schema));
    }
    return crypto.randomUUID();
  });
const isMultipart = (o: Operation) => !!o.op.requestBody?.content?.["multipart/form-data"];

Deno.test("every route, from the OpenAPI document", async (t) => {
  const app = await createTestApp({ BODY_LIMIT_BYTES: "4096", SYNC_PUSH_MAX_BYTES: "4096" });
  const specRes = await app.call("GET", "/api/v1/openapi.json");
  assert.equal(specRes.status, 200);
  const spec = specRes.body;
  specOfRun = spec;
  const ops = operations(spec);
  const { rolesWith } = app.deps.registry.permissions;
  const orgA = await createOrg(app);
  const orgB = await createOrg(app);
  const superAdmin = await superAdminToken(app);
  // The matrix never grants API_KEY (a key holds its own list), so it never comes up here.
  const tokenOf = (role: Role) =>
    role === "SUPER_ADMIN" || role === "API_KEY"
      ? Promise.resolve(superAdmin)
      : orgA.tokenFor(role);
  // Routes open to any signed-in user include logout and switch-organization, which end the
  // session they are called with; each probe of them gets a session of its own.
  const { email: probeEmail } = await createStaff(app, orgA.admin, "ADMIN", "Probe");
  // Routes for clinic replica nodes take a node credential, not a staff token.
  const node = await app.call("POST", "/api/v1/sync/nodes", {
    token: orgA.admin,
    body: { name: "Probe node", siteCode: "PRB" },
  });
  assert.equal(node.status, 201, JSON.stringify(node.body));
  const tokenFor = async (o: Operation): Promise<string | undefined> => {
    if (o.isPublic) return undefined;
    if (o.permission === "node") return node.body.token;
    if (o.permission === "authenticated") return (await login(app, probeEmail)).accessToken;
    const roles = rolesWith(o.permission);
    return await tokenOf(roles.find((r) => r !== "SUPER_ADMIN") ?? roles[0]);
  };
  const probeFormula = async (org: typeof orgA) => {
    const pharmacy = await org.tokenFor("PHARMACY");
    const post = async (path: string, body: unknown) => {
      const res = await app.call("POST", `/api/v1${path}`, { token: pharmacy, body });
      assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const medication = (genericName: string) =>
      post("/medications", {
        name: `Probe ${crypto.randomUUID()}`,
        genericName,
        form: "syrup",
        unit: "mL",
        reorderLevel: 0,
        unitPrice: 10,
        prescriptionRequired: false,
      });
    const centre = await post("/pharmacy/work-centres", { name: "Probe bench", costPerHour: 600 });
    return await post("/pharmacy/formulas", {
      name: "Probe syrup",
      productId: (await medication("probe syrup")).id,
      batchSize: 100,
      shelfLifeDays: 30,
      ingredients: [{ medicationId: (await medication("probe base")).id, quantity: 90 }],
      steps: [{ name: "Mixing", workCentreId: centre.id, plannedMinutes: 10 }],
    });
  };
  // Collections whose members are not made by a POST on the collection itself. Each maker
  // answers the new resource and how its owner reads it back.
  const MAKERS: Record<string, (org: typeof orgA) => Promise<{ id: string; version?: number }>> = {
    "/api/v1/auth/sessions": async (org) => {
      const session = await login(app, org.adminEmail);
      const list = await app.call("GET", "/api/v1/auth/sessions", { token: session.accessToken });
      return { id: list.body.data.find((s: any) => s.current).id };
    },
    // A staff member is an accepted invitation.
    "/api/v1/users": async (org) => {
      const { id } = await createStaff(app, org.admin, "LAB", "Probe");
      return (await app.call("GET", `/api/v1/users/${id}`, { token: org.admin })).body;
    },
    // The primary records conflicts while applying a node's push: here, a change of a row it
    // does not know, which it keeps whole in the queue.
    "/api/v1/sync/conflicts": async (org) => {
      const probe = await app.call("POST", "/api/v1/sync/nodes", {
        token: org.admin,
        body: { name: "Conflict probe", siteCode: `C${String(Math.random()).slice(2, 7)}` },
      });
      const pushed = await app.call("POST", "/api/v1/sync/push", {
        token: probe.body.token,
        body: {
          schemaVersion: schemaVersion(),
          changes: [{
            seq: 1,
            table: "patients",
            rowId: crypto.randomUUID(),
            op: "update",
            version: 2,
            at: new Date().toISOString(),
            actorId: null,
            hlc: nextHlc(),
            values: { phone: "+254700000001" },
            base: { phone: null },
          }],
        },
      });
      assert.equal(pushed.body.conflicts, 1, JSON.stringify(pushed.body));
      const list = await app.call("GET", "/api/v1/sync/conflicts", { token: org.admin });
      return list.body.data[0];
    },
    // Files travel between nodes by the id of the row that describes them: a document.
    "/api/v1/sync/files": async (org) => {
      const patient = await createPatient(app, org.admin);
      const form = new FormData();
      form.append("file", new File([SAMPLE_PNG], "scan.png", { type: "image/png" }));
      const res = await app.call("POST", `/api/v1/patients/${patient.id}/documents`, {
        token: org.admin,
        body: form,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // Inviting is "adding a staff member" (POST /users); the invitation is its own resource.
    "/api/v1/users/invitations": async (org) => {
      const res = await app.call("POST", "/api/v1/users", {
        token: org.admin,
        body: { email: `probe.${crypto.randomUUID()}@test.clinic`, fullName: "Probe", role: "LAB" },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // Notifications are enqueued by other modules inside their own writes, never by a route.
    "/api/v1/notifications": (org) =>
      app.deps.db.transaction((tx) =>
        enqueueNotification(app.deps, tx, { orgId: org.id, userId: null }, {
          channel: "webhook",
          kind: "probe.sent",
          subject: "Probe",
          body: "A probe notification",
          relatedType: "probe",
          relatedId: crypto.randomUUID(),
          // Never due during the run: the delivery worker leaves it (and its version) alone.
          dueAt: new Date(Date.now() + 365 * 86_400_000).toISOString(),
        })
      ),
    // The front desk's rows hang off one of the organisation's doctors (and a patient).
    "/api/v1/schedules": async (org) => {
      const res = await app.call("POST", "/api/v1/schedules", {
        token: org.admin,
        body: {
          practitionerId: await org.userIdFor("DOCTOR"),
          weekday: 3,
          startTime: "08:00",
          endTime: "09:00",
          slotMinutes: 15,
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    "/api/v1/schedule-exceptions": async (org) => {
      const res = await app.call("POST", "/api/v1/schedule-exceptions", {
        token: org.admin,
        body: {
          practitionerId: await org.userIdFor("DOCTOR"),
          kind: "leave",
          dateFrom: "2031-01-06",
          dateTo: "2031-01-10",
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    "/api/v1/appointments": async (org) => {
      const patient = await createPatient(app, org.admin);
      const res = await app.call("POST", "/api/v1/appointments", {
        token: org.admin,
        body: {
          patientId: patient.id,
          practitionerId: await org.userIdFor("DOCTOR"),
          start: new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3 * 86_400_000)
            .toISOString(),
          durationMinutes: 30,
          type: "consultation",
          override: true,
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // The clinical record hangs off a visit: a note and an observation of a walk-in's.
    "/api/v1/notes": async (org) => {
      const visit = await MAKERS["/api/v1/encounters"](org);
      const res = await app.call("POST", `/api/v1/encounters/${visit.id}/notes`, {
        token: await org.tokenFor("DOCTOR"),
        body: { reasonForVisit: "Probe" },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    "/api/v1/vitals": async (org) => {
      const visit = await MAKERS["/api/v1/encounters"](org);
      const res = await app.call("POST", `/api/v1/encounters/${visit.id}/vitals`, {
        token: await org.tokenFor("NURSE"),
        body: { observations: [{ code: "pulse", value: 70, unit: "/min" }] },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.observations[0];
    },
    "/api/v1/prescriptions": async (org) => {
      const visit = await MAKERS["/api/v1/encounters"](org);
      const res = await app.call("POST", "/api/v1/prescriptions", {
        token: await org.tokenFor("DOCTOR"),
        body: {
          encounterId: visit.id,
          items: [{
            medication: "Paracetamol 500 mg",
            genericName: "paracetamol",
            dose: 1,
            unit: "tablet",
            route: "oral",
            frequency: { timesPerDay: 3 },
            durationDays: 2,
          }],
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // Templates are clinical content an admin does not write: a doctor's own one.
    "/api/v1/clinical-templates": async (org) => {
      const res = await app.call("POST", "/api/v1/clinical-templates", {
        token: await org.tokenFor("DOCTOR"),
        body: { kind: "note", name: "Probe", content: { plan: "Probe" } },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // A dispensation needs a medicine in stock: one over the counter, received, then sold.
    "/api/v1/dispensations": async (org) => {
      const pharmacy = await org.tokenFor("PHARMACY");
      const med = await app.call("POST", "/api/v1/medications", {
        token: pharmacy,
        body: {
          name: `Probe ${crypto.randomUUID()}`,
          genericName: "paracetamol",
          form: "tablet",
          reorderLevel: 1,
          unitPrice: 10,
          prescriptionRequired: false,
        },
      });
      assert.equal(med.status, 201, JSON.stringify(med.body));
      await app.call("POST", "/api/v1/stock/receipts", {
        token: pharmacy,
        body: {
          items: [{
            medicationId: med.body.id,
            batchNumber: "PROBE-1",
            expiryDate: "2031-01-31",
            quantity: 50,
            unitCost: 5,
          }],
        },
      });
      const res = await app.call("POST", "/api/v1/dispensations", {
        token: pharmacy,
        body: { items: [{ medicationId: med.body.id, quantity: 2 }] },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // Counts are the pharmacy's (an admin approves, does not count): an open count of a store
    // of its own, as a probe may have opened one of the default store already.
    "/api/v1/stock/counts": async (org) => {
      const token = await org.tokenFor("PHARMACY");
      const store = await app.call("POST", "/api/v1/stores", {
        token,
        body: { name: `Probe store ${crypto.randomUUID()}`, kind: "dispensary" },
      });
      assert.equal(store.status, 201, JSON.stringify(store.body));
      const res = await app.call("POST", "/api/v1/stock/counts", {
        token,
        body: { storeId: store.body.id, notes: "Probe count" },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // A finding is raised by the rules, never posted: an admin's override sells a
    // prescription-only medicine without a prescription.
    "/api/v1/pharmacy/findings": async (org) => {
      const pharmacy = await org.tokenFor("PHARMACY");
      const med = await app.call("POST", "/api/v1/medications", {
        token: pharmacy,
        body: {
          name: `Probe ${crypto.randomUUID()}`,
          genericName: "amoxicillin",
          form: "capsule",
          reorderLevel: 1,
          unitPrice: 10,
          prescriptionRequired: true,
        },
      });
      await app.call("POST", "/api/v1/stock/receipts", {
        token: pharmacy,
        body: {
          items: [{
            medicationId: med.body.id,
            batchNumber: "PROBE-RX",
            expiryDate: "2031-01-31",
            quantity: 10,
            unitCost: 5,
          }],
        },
      });
      const sold = await app.call("POST", "/api/v1/dispensations", {
        token: org.admin,
        body: {
          items: [{ medicationId: med.body.id, quantity: 1 }],
          override: { reason: "Probe" },
        },
      });
      assert.equal(sold.status, 201, JSON.stringify(sold.body));
      const list = await app.call(
        "GET",
        "/api/v1/pharmacy/findings?rule=dispensed_without_prescription",
        {
          token: org.admin,
        },
      );
      return list.body.data.find((f: any) => f.evidence[0].medicationId === med.body.id);
    },
    "/api/v1/purchase-orders": async (org) => {
      const pharmacy = await org.tokenFor("PHARMACY");
      const supplier = await app.call("POST", "/api/v1/suppliers", {
        token: pharmacy,
        body: { name: "Probe supplier" },
      });
      const med = await app.call("POST", "/api/v1/medications", {
        token: pharmacy,
        body: {
          name: `Probe ${crypto.randomUUID()}`,
          genericName: "zinc",
          form: "tablet",
          reorderLevel: 1,
          unitPrice: 10,
          prescriptionRequired: false,
        },
      });
      const res = await app.call("POST", "/api/v1/purchase-orders", {
        token: pharmacy,
        body: {
          supplierId: supplier.body.id,
          lines: [{ medicationId: med.body.id, quantity: 10, unitCost: 5 }],
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // A formula names catalogue medications and a work centre of its own organisation.
    "/api/v1/pharmacy/formulas": (org) => probeFormula(org),
    // Orders are the pharmacy's (an admin reads them): a draft of a probe formula.
    "/api/v1/pharmacy/preparation-orders": async (org) => {
      const formula = await probeFormula(org);
      const res = await app.call("POST", "/api/v1/pharmacy/preparation-orders", {
        token: await org.tokenFor("PHARMACY"),
        body: { formulaId: formula.id, batches: 1 },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    "/api/v1/encounters": async (org) => {
      const patient = await createPatient(app, org.admin);
      const res = await app.call("POST", "/api/v1/encounters", {
        token: org.admin,
        body: { patientId: patient.id, facilityId: org.facilityId },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    // The cash desk: a payment needs an issued invoice, a refund a payment, a claim an
    // invoice split by an insurer.
    "/api/v1/payments": async (org) => {
      const patient = await createPatient(app, org.admin);
      const inv = await issuedInvoice(app, org, {
        patientId: patient.id,
        lines: [{ description: "Probe", unitAmount: 10000 }],
      });
      const res = await app.call("POST", "/api/v1/payments", {
        token: org.admin,
        body: { invoiceId: inv.id, method: "cash", amount: 5000 },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    "/api/v1/refunds": async (org) => {
      const paid = await MAKERS["/api/v1/payments"](org);
      const res = await app.call("POST", `/api/v1/payments/${paid.id}/refunds`, {
        token: org.admin,
        body: { amount: 1000, reason: "Probe" },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
    "/api/v1/claims": async (org) => {
      const patient = await createPatient(app, org.admin, {
        insurance: [{
          provider: "NHIF",
          memberNumber: "P-1",
          coveragePercent: 80,
          scheme: "public",
        }],
      });
      await issuedInvoice(app, org, {
        patientId: patient.id,
        lines: [{ description: "Probe", unitAmount: 10000 }],
      });
      const res = await app.call("POST", "/api/v1/claims", {
        token: org.admin,
        body: { provider: "NHIF", periodFrom: "2000-01-01", periodTo: "2100-12-31" },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body;
    },
  };
  const nodeTokens = new Map<string, string>([[orgA.id, node.body.token]]);
  const nodeTokenOf = async (org: typeof orgA) => {
    if (!nodeTokens.has(org.id)) {
      const res = await app.call("POST", "/api/v1/sync/nodes", {
        token: org.admin,
        body: { name: "Owner's node", siteCode: "OWN" },
      });
      nodeTokens.set(org.id, res.body.token);
    }
    return nodeTokens.get(org.id)!;
  };
  /** The operation's required query parameters, from their samples. */
  const requiredQuery = (o: Operation) => {
    const query = new URLSearchParams();
    for (const p of o.op.parameters ?? []) {
      if (p.in === "query" && p.required) {
        query.set(p.name, String(p.example ?? sample(spec, p.schema)));
      }
    }
    return query.size ? `?${query}` : "";
  };
  const ownerStillHas = async (
    org: typeof orgA,
    o: Operation,
    theirs: { id: string; version?: number },
  ) => {
    const collection = o.path.slice(0, o.path.indexOf("/{id}"));
    const read = ops.find((r) => r.method === "GET" && r.path === `${collection}/{id}`);
    if (read?.permission === "node") {
      // Read back by a node of the owner's organisation.
      const own = await app.call("GET", concrete(read.path, theirs.id), {
        token: await nodeTokenOf(org),
      });
      return own.status === 200;
    }
    if (read) {
      // Read back by the owner's admin, or by a role that may read it (clinical content is not
      // an admin's to read).
      const reader = rolesWith(read.permission).includes("ADMIN")
        ? org.admin
        : await org.tokenFor(rolesWith(read.permission)[0] as TenantRole);
      const own = await app.call("GET", concrete(read.path, theirs.id), { token: reader });
      return own.status === 200 && own.body.version === theirs.version;
    }
    const list = await app.call("GET", collection, { token: org.admin });
    return list.body.data.some((x: { id: string }) => x.id === theirs.id);
  };
  // One resource per collection and organisation, made with the create operation's own example.
  const made = new Map<string, any>();
  const resourceIn = async (org: typeof orgA, o: Operation) => {
    const collection = o.path.slice(0, o.path.indexOf("/{id}"));
    const key = `${org.id} ${collection}`;
    if (!made.has(key) && MAKERS[collection]) made.set(key, await MAKERS[collection](org));
    if (!made.has(key)) {
      const create = ops.find((c) => c.method === "POST" && c.path === collection);
      assert.ok(create, `no POST ${collection} to make a resource for ${o.method} ${o.path}`);
      const res = await app.call("POST", collection, {
        token: org.admin,
        body: sampleBody(spec, create.op),
      });
      assert.equal(
        res.status,
        201,
        `POST ${collection} with its example: ${JSON.stringify(res.body)}`,
      );
      made.set(key, res.body);
    }
    return made.get(key);
  };
  // A resource of a nested collection (`/patients/{id}/documents/{documentId}`): its parent
  // made as above, then the child made once with the nested create operation's own sample.
  const nestedIn = async (org: typeof orgA, o: Operation) => {
    const parent = await resourceIn(org, o);
    const inner = o.path.indexOf("/{", o.path.indexOf("{id}"));
    if (inner < 0) return concrete(o.path, parent.id);
    const collection = concrete(o.path.slice(0, inner), parent.id);
    if (!made.has(`${org.id} ${collection}`)) {
      const create = ops.find((c) => c.method === "POST" && c.path === o.path.slice(0, inner));
      assert.ok(create, `no POST ${collection} to make a resource for ${o.method} ${o.path}`);
      const res = await app.call("POST", collection, {
        token: org === orgA ? await tokenFor(create) : org.admin,
        body: sampleBody(spec, create.op),
      });
      assert.equal(
        res.status,
        201,
        `POST ${collection} with its sample: ${JSON.stringify(res.body)}`,
      );
      made.set(`${org.id} ${collection}`, res.body);
    }
    const child = made.get(`${org.id} ${collection}`);
    return collection + o.path.slice(inner).replace(/\{\w+\}/, child.id);
  };
  // Two distinct bodies of the operation's own media type, for the Idempotency-Key probes.
  const probeBodies = (o: Operation): [unknown, unknown] =>
    isMultipart(o)
      ? [
        sampleForm(spec, o.op.requestBody.content["multipart/form-data"].schema),
        sampleForm(spec, o.op.requestBody.content["multipart/form-data"].schema, { other: "1" }),
      ]
      : ["{}", '{"other":1}'];
  const observed = new Map<string, Set<number>>();
  const seen = (o: Operation, status: number) => {
    const key = `${o.method} ${o.path}`;
    if (!observed.has(key)) observed.set(key, new Set());
    observed.get(key)!.add(status);
  };

  await t.step("the document lists operations and is OpenAPI 3.1", () => {
    assert.equal(spec.openapi, "3.1.0");
    assert.ok(ops.length >= 20, `only ${ops.length} operations`);
    assert.ok(spec.components.securitySchemes.bearerAuth);
  });

  await t.step("only the known public operations skip authentication", () => {
    const publicOps = ops.filter((o) => o.isPublic).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(publicOps.sort(), [...PUBLIC].sort());
  });

  await t.step("every operation declares tags, a permission and its error responses", () => {
    for (const o of ops) {
      assert.ok(o.op.tags?.length, `${o.method} ${o.path} has no tags`);
      assert.ok(o.permission, `${o.method} ${o.path} has no x-permission`);
      if (!o.isPublic) assert.ok(o.documented.has(401), `${o.method} ${o.path} lacks 401`);
    }
  });

  await t.step(
    "every protected operation answers 401 without a token or with a bad one",
    async () => {
      const forged = [
        "garbage",
        // alg "none": must never be accepted.
        `${btoa('{"alg":"none","typ":"JWT"}')}.${btoa('{"sub":"x","sid":"y","org":null}')}.`,
        // Correctly shaped HS256 token signed with another secret.
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4Iiwic2lkIjoieSJ9.2vYwfJ5dpM2FoU8e7Z2uJcN6cC4lLqkS7ZxZgqv9w1Q",
      ];
      for (const o of ops.filter((o) => !o.isPublic)) {
        const path = concrete(o.path, crypto.randomUUID());
        const res = await app.call(o.method, path);
        seen(o, res.status);
        assert.equal(res.status, 401, `${o.method} ${o.path} without token: ${res.status}`);
        assert.equal(res.headers.get("content-type"), "application/problem+json");
        for (const token of forged) {
          const bad = await app.call(o.method, path, { token });
          assert.equal(bad.status, 401, `${o.method} ${o.path} with forged token: ${bad.status}`);
        }
      }
    },
  );

  await t.step(
    "every operation answers 403 to each role its permission does not include",
    async () => {
      const permissioned = (o: Operation) =>
        !o.isPublic && o.permission !== "authenticated" && o.permission !== "node";
      for (const o of ops.filter(permissioned)) {
        const allowed = rolesWith(o.permission);
        for (const role of [...ROLES, "SUPER_ADMIN"] as Role[]) {
          if (allowed.includes(role)) continue;
          const res = await app.call(o.method, concrete(o.path, crypto.randomUUID()), {
            token: await tokenOf(role),
            body: sampleBody(spec, o.op),
          });
          seen(o, res.status);
          assert.equal(res.status, 403, `${role} → ${o.method} ${o.path}: ${res.status}`);
        }
      }
    },
  );

  await t.step("node operations refuse every staff token with 401, and take a node's", async () => {
    const nodeOps = ops.filter((o) => o.permission === "node");
    assert.ok(nodeOps.length > 0);
    for (const o of nodeOps) {
      for (const role of [...ROLES, "SUPER_ADMIN"] as Role[]) {
        const res = await app.call(o.method, concrete(o.path, crypto.randomUUID()), {
          token: await tokenOf(role),
        });
        seen(o, res.status);
        assert.equal(res.status, 401, `${role} → ${o.method} ${o.path}: ${res.status}`);
      }
      // With the operation's own samples (required query parameters and body), and for an
      // operation on one resource, one of the node's organisation.
      const id = o.path.includes("{id}") ? (await resourceIn(orgA, o)).id : crypto.randomUUID();
      const ok = await app.call(o.method, `${concrete(o.path, id)}${requiredQuery(o)}`, {
        token: node.body.token,
        body: sampleBody(spec, o.op),
      });
      assert.ok(
        ok.status < 400,
        `node → ${o.method} ${o.path}: ${ok.status} ${JSON.stringify(ok.body)}`,
      );
    }
  });

  await t.step(
    "every operation taking an id answers 404 for another organisation's id",
    async () => {
      for (const o of ops.filter((o) => o.path.includes("{id}"))) {
        const theirs = await resourceIn(orgB, o);
        const res = await app.call(o.method, concrete(o.path, theirs.id) + requiredQuery(o), {
          token: await tokenFor(o),
          body: sampleBody(spec, o.op),
        });
        seen(o, res.status);
        assert.equal(res.status, 404, `${o.method} ${o.path} across tenants: ${res.status}`);
        assert.ok(await ownerStillHas(orgB, o, theirs), `${o.method} ${o.path} changed it`);
      }
    },
  );

  await t.step("junk bodies, parameters and ids never produce a 5xx", async () => {
    for (const o of ops) {
      const paths = o.path.includes("{id}") ? JUNK_IDS.map((id) => concrete(o.path, id)) : [o.path];
      for (const path of paths) {
        for (const query of ["", ...JUNK_QUERIES]) {
          const res = await app.call(o.method, path + query, { token: await tokenFor(o) });
          seen(o, res.status);
          assert.ok(
            res.status < 500,
            `${o.method} ${path + query}: ${res.status} ${JSON.stringify(res.body)}`,
          );
        }
        if (o.method === "GET" || o.method === "DELETE") continue;
        for (const body of JUNK_BODIES) {
          const res = await app.call(o.method, path, { token: await tokenFor(o), body });
          seen(o, res.status);
          assert.ok(
            res.status < 500,
            `${o.method} ${path} ${String(body).slice(0, 40)}: ${res.status}`,
          );
          assert.ok(!JSON.stringify(res.body).includes("at file://"), "stack trace in response");
        }
      }
    }
  });

  await t.step(
    "bodies over the limit answer 413, and non-JSON bodies 415 where JSON is expected",
    async () => {
      for (const o of ops.filter((o) => o.method !== "GET")) {
        const token = await tokenFor(o);
        const path = concrete(o.path, crypto.randomUUID());
        const big = await app.call(o.method, path, {
          token,
          body: JSON.stringify({ x: "y".repeat(10_000) }),
        });
        seen(o, big.status);
        assert.equal(big.status, 413, `${o.method} ${o.path} big body: ${big.status}`);
        if (!o.op.requestBody) continue;
        const text = await app.call(o.method, path, {
          token,
          body: "name=x",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        seen(o, text.status);
        assert.equal(text.status, 415, `${o.method} ${o.path} form body: ${text.status}`);
      }
    },
  );

  await t.step("a stale If-Match answers 412 wherever If-Match is accepted", async () => {
    for (const o of ops.filter((o) => o.op.parameters?.some((p: any) => p.name === "if-match"))) {
      const path = o.path.includes("{id}") ? await nestedIn(orgA, o) : o.path;
      const res = await app.call(o.method, path, {
        token: await tokenFor(o),
        headers: { "if-match": '"999"' },
        body: sampleBody(spec, o.op),
      });
      seen(o, res.status);
      assert.equal(
        res.status,
        412,
        `${o.method} ${o.path}: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  });

  await t.step(
    "reusing an Idempotency-Key with another body answers 422 on every POST",
    async () => {
      const posts = ops.filter((o) =>
        o.method === "POST" && !o.isPublic && o.permission !== "node"
      );
      for (const o of posts) {
        const token = await tokenFor(o);
        const key = crypto.randomUUID();
        const path = concrete(o.path, crypto.randomUUID());
        const [one, other] = probeBodies(o);
        const first = await app.call(o.method, path, {
          token,
          body: one,
          headers: { "idempotency-key": key },
        });
        seen(o, first.status);
        const second = await app.call(o.method, path, {
          token,
          body: other,
          headers: { "idempotency-key": key },
        });
        seen(o, second.status);
        // logout and switch-organization end the session the first call was made with.
        const ended = (await app.call("GET", "/api/v1/auth/me", { token })).status === 401;
        assert.equal(second.status, ended ? 401 : 422, `${o.method} ${o.path}: ${second.status}`);
      }
    },
  );

  await t.step(
    "every POST documents Idempotency-Key and refuses an over-long one with 400",
    async () => {
      // Node operations are made idempotent by the node's own operation ids instead.
      const posts = ops.filter((o) =>
        o.method === "POST" && !o.isPublic && o.permission !== "node"
      );
      for (const o of posts) {
        assert.ok(
          o.op.parameters?.some((p: any) => p.name === "idempotency-key" && p.in === "header"),
          `${o.method} ${o.path} does not document Idempotency-Key`,
        );
        const res = await app.call(o.method, concrete(o.path, crypto.randomUUID()), {
          token: await tokenFor(o),
          body: probeBodies(o)[0],
          headers: { "idempotency-key": "k".repeat(201) },
        });
        seen(o, res.status);
        assert.equal(res.status, 400, `${o.method} ${o.path}: ${res.status}`);
        assert.equal(res.body.errors[0].path, "Idempotency-Key");
      }
    },
  );

  await t.step("every POST answers its own documented example body without a 5xx", async () => {
    for (
      const o of ops.filter((o) => o.method === "POST" && !o.path.includes("{") && !o.isPublic)
    ) {
      if (!o.op.requestBody?.content?.["application/json"]) continue;
      const res = await app.call(o.method, o.path, {
        token: await tokenFor(o),
        body: sampleBody(spec, o.op),
      });
      seen(o, res.status);
      assert.ok(
        res.status < 500,
        `${o.method} ${o.path}: ${res.status} ${JSON.stringify(res.body)}`,
      );
    }
  });

  await t.step(
    "an API key holding exactly an operation's permission never gets a 5xx from it",
    async () => {
      // Integrations act as a key, not a person: a route that would store the caller as a
      // user (an author, a practitioner, a counter) must refuse a key, never fail on it.
      const keys = new Map<string, string | null>();
      const keyFor = async (permission: string) => {
        if (!keys.has(permission)) {
          const res = await app.call("POST", "/api/v1/api-keys", {
            token: orgB.admin,
            body: { name: `Probe ${permission}`, permissions: [permission] },
          });
          // Permissions a key may not hold (person-only, beyond an admin) are refused: 422.
          keys.set(permission, res.status === 201 ? res.body.key : null);
        }
        return keys.get(permission)!;
      };
      // In the second organisation, whose resources the cross-tenant step made already: a
      // key's own POST below cannot take an example's unique code before its resource is made.
      let probed = 0;
      for (const o of ops) {
        if (o.isPublic || o.permission === "authenticated" || o.permission === "node") continue;
        const key = await keyFor(o.permission);
        if (!key) continue;
        const id = o.path.includes("{id}") ? (await resourceIn(orgB, o)).id : undefined;
        const path = (id ? concrete(o.path, id) : o.path) + requiredQuery(o);
        const res = await app.call(o.method, path, {
          headers: { "x-api-key": key },
          body: o.op.requestBody ? sampleBody(spec, o.op) : undefined,
        });
        seen(o, res.status);
        probed++;
        assert.ok(
          res.status < 500,
          `API key → ${o.method} ${o.path}: ${res.status} ${JSON.stringify(res.body)}`,
        );
      }
      assert.ok(probed > 50, `only ${probed} operations probed with a key`);
    },
  );

  await t.step(
    "every status observed is documented, and every documented error is provoked",
    () => {
      for (const o of ops) {
        const got = observed.get(`${o.method} ${o.path}`) ?? new Set();
        for (const status of got) {
          assert.ok(
            o.documented.has(status),
            `${o.method} ${o.path} answered undocumented ${status}`,
          );
        }
        for (const status of o.documented) {
          if (status < 400 || got.has(status) || PROVEN_ELSEWHERE[status]) continue;
          assert.fail(`${o.method} ${o.path} documents ${status} but no probe produced it`);
        }
      }
    },
  );

  await app.close();
});
