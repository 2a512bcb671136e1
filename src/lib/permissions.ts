/**
 * Roles, and the groups of them that modules grant permissions to. Each module declares the
 * permissions it introduces, with their roles, in its manifest (mod.ts); the matrix is built from
 * the module list (lib/module.ts) and the `authorize` middleware checks it and nothing else does.
 * The README's roles table is the matrix as it stands.
 */
export const ROLES = [
  "ADMIN",
  "DOCTOR",
  "NURSE",
  "RECEPTION",
  "PHARMACY",
  "LAB",
  "FINANCE",
] as const;
export type TenantRole = typeof ROLES[number];
/**
 * API_KEY is no staff role: it names an integration's key acting as itself, whose permissions
 * are its own list (see `Principal.permissions`), so the matrix grants it nothing.
 */
export type Role = TenantRole | "SUPER_ADMIN" | "API_KEY";

/** A permission's name: `area:action` (`patients:read`, `patients:clinical:write`). */
export type Permission = string;

/** Every staff role of an organisation. */
export const ALL_STAFF: readonly Role[] = ROLES;
/** The platform's own administrator, above tenants. */
export const PLATFORM: readonly Role[] = ["SUPER_ADMIN"];
export const ADMIN_ONLY: readonly Role[] = ["ADMIN"];
/** Roles that treat patients: they read allergies and medical history. */
export const CLINICAL_READERS: readonly Role[] = ["DOCTOR", "NURSE", "PHARMACY", "LAB"];
/** Roles that record clinical facts. */
export const CLINICIANS: readonly Role[] = ["DOCTOR", "NURSE"];

/** Employee-number prefixes per role (ADM001, DOC001, …). */
export const EMPLOYEE_PREFIX: Record<TenantRole, string> = {
  ADMIN: "ADM",
  DOCTOR: "DOC",
  NURSE: "NUR",
  RECEPTION: "REC",
  PHARMACY: "PHA",
  LAB: "LAB",
  FINANCE: "FIN",
};
