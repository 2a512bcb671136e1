/**
 * The one role → permission matrix. Routes declare the permission they need; the `authorize`
 * middleware checks it against this table and nothing else does.
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
export type Role = TenantRole | "SUPER_ADMIN";

export const PERMISSIONS = [
  "organizations:create",
  "organizations:list",
  "organization:read",
  "organization:write",
  "facilities:read",
  "facilities:write",
  "users:read",
  "users:write",
  "patients:read",
  "patients:write",
  "patients:delete",
  "patients:merge",
  "patients:export",
  "patients:import",
  "patients:clinical:read",
  "patients:clinical:write",
  "patient-documents:read",
  "patient-documents:write",
  "audit:read",
  "platform:audit:read",
] as const;
export type Permission = typeof PERMISSIONS[number];

const ALL_STAFF: Role[] = [...ROLES];
/**
 * Roles that see patients: every clinical and front-desk role, and finance for billing. What each
 * of them sees of a record is narrowed field by field in the patients module (visibility.ts):
 * FINANCE sees demographics and insurance only.
 */
const PATIENT_READERS: Role[] = [...ROLES];
/** Roles that treat patients: they read allergies and medical history. */
const CLINICAL_READERS: Role[] = ["DOCTOR", "NURSE", "PHARMACY", "LAB"];

const MATRIX: Record<Permission, Role[]> = {
  "organizations:create": ["SUPER_ADMIN"],
  "organizations:list": ["SUPER_ADMIN"],
  "organization:read": ALL_STAFF,
  "organization:write": ["ADMIN"],
  "facilities:read": ALL_STAFF,
  "facilities:write": ["ADMIN"],
  "users:read": ["ADMIN"],
  "users:write": ["ADMIN"],
  "patients:read": PATIENT_READERS,
  "patients:write": ["ADMIN", "RECEPTION"],
  "patients:delete": ["ADMIN"],
  "patients:merge": ["ADMIN"],
  "patients:export": ["ADMIN"],
  "patients:import": ["ADMIN"],
  "patients:clinical:read": CLINICAL_READERS,
  "patients:clinical:write": ["DOCTOR", "NURSE"],
  "patient-documents:read": ["ADMIN", "RECEPTION", "DOCTOR", "NURSE", "PHARMACY", "LAB"],
  "patient-documents:write": ["ADMIN", "RECEPTION", "DOCTOR", "NURSE", "LAB"],
  "audit:read": ["ADMIN"],
  "platform:audit:read": ["SUPER_ADMIN"],
};

export const can = (role: Role, permission: Permission) => MATRIX[permission].includes(role);

export const rolesWith = (permission: Permission): readonly Role[] => MATRIX[permission];

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
