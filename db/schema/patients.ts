import { index, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { businessColumns } from "./columns.ts";

export const patients = sqliteTable("patients", {
  ...businessColumns(),
  mrn: text("mrn").notNull(),
  givenName: text("given_name").notNull(),
  familyName: text("family_name").notNull(),
  birthDate: text("birth_date"),
  sex: text("sex").notNull().default("unknown"),
  phone: text("phone"),
  email: text("email"),
  nationalId: text("national_id"),
}, (t) => [
  uniqueIndex("patients_org_mrn_uq").on(t.orgId, t.mrn),
  index("patients_org_family_idx").on(t.orgId, t.familyName, t.id),
  index("patients_org_created_idx").on(t.orgId, t.createdAt, t.id),
]);
