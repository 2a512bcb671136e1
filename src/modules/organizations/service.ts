import { asc, eq, gt, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { insertTracked, stamp } from "../../../db/tenant.ts";
import { facilities, memberships, organizations, users } from "../../../db/schema/mod.ts";
import type { Actor, Deps, Principal } from "../../lib/context.ts";
import { conflict, notFound, unprocessable } from "../../lib/errors.ts";
import { newId } from "../../../db/ids.ts";
import { decodeCursor, pageOf } from "../../lib/pagination.ts";
import { hashPassword } from "../../lib/password.ts";
import { assertPasswordPolicy } from "../auth/mod.ts";
import { allocateEmployeeId } from "../users/mod.ts";
import type { z } from "@hono/zod-openapi";
import type { CreateOrganizationBody, OrganizationPatch } from "./schemas.ts";
import { auditedUpdate } from "../../lib/writes.ts";

type Input = z.infer<typeof CreateOrganizationBody>;
type OrgRow = typeof organizations.$inferSelect;

export const toOrganization = (o: OrgRow) => ({
  id: o.id,
  name: o.name,
  code: o.code,
  type: o.type as "CLINIC",
  practiceSystems: o.practiceSystems,
  timezone: o.timezone,
  currency: o.currency,
  active: o.active,
  mrnPrefix: o.mrnPrefix,
  mrnDigits: o.mrnDigits,
  version: o.version,
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

/** "Sunrise Family Clinic" → "SUNRISEFAM"; a numeric suffix makes it unique. */
async function uniqueCode(tx: Db, name: string): Promise<string> {
  const base = name.normalize("NFKD").replace(/[^A-Za-z0-9]/g, "").toUpperCase().slice(0, 10) ||
    "ORG";
  for (let n = 0;; n++) {
    const code = n === 0 ? base : `${base}-${n + 1}`;
    const [taken] = await tx.select({ id: organizations.id }).from(organizations)
      .where(eq(organizations.code, code));
    if (!taken) return code;
  }
}

export async function createOrganization(
  deps: Deps,
  p: Principal,
  input: Input,
  meta: { requestId: string; ip: string | null; userAgent: string | null },
) {
  const [existingUser] = await deps.db.db.select({ id: users.id, isSuperAdmin: users.isSuperAdmin })
    .from(users).where(eq(users.email, input.admin.email));
  if (existingUser?.isSuperAdmin && existingUser.id !== p.userId) {
    // A platform super admin is never made a member of an organisation by someone else.
    throw unprocessable("This address belongs to a platform super admin; choose another admin.", [
      { path: "admin.email", in: "body", message: "a platform super admin's address" },
    ]);
  }
  // Hash outside the transaction: it takes a few hundred milliseconds by design.
  if (!existingUser) assertPasswordPolicy(deps.config, input.admin.password, "admin.password");
  const passwordHash = existingUser
    ? null
    : await hashPassword(input.admin.password, deps.config.passwordLogN);
  const now = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    if (input.code) {
      const [taken] = await tx.select({ id: organizations.id }).from(organizations)
        .where(eq(organizations.code, input.code));
      if (taken) throw conflict(`The organisation code ${input.code} is taken.`);
    }
    const code = input.code ?? await uniqueCode(tx, input.name);
    const orgId = newId();
    // Every row here belongs to the new organisation; an organisation is its own tenant.
    const row = (id?: string) => stamp(orgId, p.userId, now, id);
    const org = await insertTracked(tx, organizations, {
      ...row(orgId),
      name: input.name,
      code,
      type: input.type,
      practiceSystems: input.practiceSystems,
      timezone: input.timezone,
      currency: input.currency,
      mrnPrefix: input.mrnPrefix,
      mrnDigits: input.mrnDigits,
    });
    const facility = await insertTracked(tx, facilities, {
      ...row(),
      name: input.facility?.name ?? `${input.name} — Main`,
      code: input.facility?.code ?? "MAIN",
    });
    const userId = existingUser?.id ?? newId();
    if (!existingUser) {
      await insertTracked(tx, users, {
        ...row(userId),
        email: input.admin.email,
        fullName: input.admin.fullName,
        passwordHash: passwordHash!,
      });
    }
    const employeeId = await allocateEmployeeId(tx, orgId, "ADMIN");
    await insertTracked(tx, memberships, {
      ...row(),
      userId,
      role: "ADMIN",
      facilityId: facility.id,
      employeeId,
    });
    await deps.audit.record(tx, { ...meta, userId: p.userId, role: p.role, orgId }, {
      action: "organization.create",
      entityType: "organization",
      entityId: orgId,
    });
    const [user] = await tx.select().from(users).where(eq(users.id, userId));
    return {
      organization: toOrganization(org),
      facility: { id: facility.id, name: facility.name, code: facility.code },
      admin: {
        id: userId,
        email: user.email,
        fullName: user.fullName,
        role: "ADMIN" as const,
        employeeId,
      },
    };
  });
}

export async function listOrganizations(db: Db, q: { limit: number; cursor?: string }) {
  const cursor = decodeCursor(q.cursor);
  const rows = await db.select().from(organizations)
    .where(cursor ? gt(organizations.id, cursor.id) : undefined)
    .orderBy(asc(organizations.id)).limit(q.limit + 1);
  return pageOf(rows.map(toOrganization), q.limit, (o) => o.id);
}

/** What other modules need of their organisation: its timezone and MRN format. */
export async function orgSettings(db: Db, orgId: string) {
  const row = await settingsOf.get(db, { orgId });
  if (!row) throw notFound("Organisation");
  return row;
}
// Read by most writes (the clinic's day, numbering): built once.
const settingsOf = prepared<
  { timezone: string; prefix: string; digits: number; currency: string }
>(
  new QueryBuilder().select({
    timezone: organizations.timezone,
    currency: organizations.currency,
    prefix: organizations.mrnPrefix,
    digits: organizations.mrnDigits,
  }).from(organizations).where(eq(organizations.id, sql.placeholder("orgId"))),
);
export type OrgSettings = Awaited<ReturnType<typeof orgSettings>>;

/** The currency (ISO 4217) every amount the organisation records is in. */
export async function orgCurrency(db: Db, orgId: string) {
  return (await orgSettings(db, orgId)).currency;
}

export async function currentOrganization(db: Db, orgId: string) {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw notFound("Organisation");
  return toOrganization(org);
}

export async function updateCurrentOrganization(
  deps: Deps,
  a: Actor,
  patch: z.infer<typeof OrganizationPatch>,
  expectedVersion: number | undefined,
) {
  const row = await deps.db.transaction((tx) =>
    auditedUpdate(deps, tx, a, {
      table: organizations,
      label: "Organisation",
      id: a.orgId,
      expectedVersion,
      set: patch,
      action: "organization.update",
      entityType: "organization",
      fields: ["name", "practiceSystems", "timezone", "currency", "mrnPrefix", "mrnDigits"],
    })
  );
  return toOrganization(row);
}
