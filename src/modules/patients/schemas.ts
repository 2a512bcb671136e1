import { z } from "@hono/zod-openapi";

export const SEXES = ["female", "male", "other", "unknown"] as const;
export const STATUSES = ["active", "inactive", "deceased", "moved"] as const;

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date as YYYY-MM-DD")
  .refine(
    (s) => !Number.isNaN(Date.parse(s)) && new Date(s).toISOString().startsWith(s),
    "not a real date",
  );

const name = z.string().trim().min(1, "must not be empty").max(100);
const optionalText = (max: number) => z.string().trim().min(1).max(max).nullable().optional();
export const PhoneNumber = z.string().trim().regex(
  /^\+?[0-9 ().-]{5,25}$/,
  "must be a phone number",
);

const PhoneEntry = z.object({
  number: PhoneNumber.openapi({ example: "+254 733 000 111" }),
  use: z.enum(["mobile", "home", "work", "other"]).default("mobile"),
  note: optionalText(200),
}).openapi("PhoneEntry");

const IdentifierEntry = z.object({
  system: z.string().trim().min(1).max(50).openapi({ example: "passport" }),
  value: z.string().trim().min(1).max(50).openapi({ example: "AK0012345" }),
}).openapi("PatientIdentifier");

const Address = z.object({
  line: optionalText(200),
  city: optionalText(100),
  district: optionalText(100),
  region: optionalText(100),
  postalCode: optionalText(20),
  country: optionalText(100),
  accessNotes: optionalText(500).openapi({ example: "Blue gate behind the market" }),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
}).openapi("Address");

const EmergencyContact = z.object({
  name: name.openapi({ example: "Peter Kamau" }),
  relationship: optionalText(50).openapi({ example: "brother" }),
  phone: PhoneNumber.nullable().optional(),
}).openapi("EmergencyContact");

const InsuranceEntry = z.object({
  provider: z.string().trim().min(1).max(100).openapi({ example: "NHIF" }),
  memberNumber: z.string().trim().min(1).max(50).openapi({ example: "NH-2291-33" }),
  plan: optionalText(100),
  coveragePercent: z.number().min(0).max(100).nullable().optional(),
  scheme: z.enum(["private", "public"]).default("private"),
  validUntil: isoDate.nullable().optional(),
  primary: z.boolean().optional(),
}).openapi("InsuranceEntry");

const Preferences = z.object({
  language: optionalText(50),
  contactMethod: z.enum(["phone", "sms", "email", "none"]).nullable().optional(),
  notes: optionalText(500),
}).openapi("Preferences");

const Tag = z.string().trim().toLowerCase().min(1).max(40).regex(
  /^[\p{L}\p{N}_ -]+$/u,
  "letters, digits, spaces, - and _ only",
);

/** Demographic fields: what RECEPTION and ADMIN register and edit. */
const demographics = {
  givenName: name.openapi({ example: "Wanjiku" }),
  middleName: optionalText(100),
  familyName: name.openapi({ example: "Kamau" }),
  birthDate: isoDate.nullable().optional().openapi({ example: "1987-04-12" }),
  birthDateEstimated: z.boolean().optional().openapi({
    description: "True when the date of birth is an estimate (age told, not documented).",
  }),
  sex: z.enum(SEXES).openapi({ example: "female" }),
  phone: PhoneNumber.nullable().optional().openapi({ example: "+254 712 345 678" }),
  otherPhones: z.array(PhoneEntry).max(10).optional(),
  email: z.string().trim().toLowerCase().email().max(254).nullable().optional()
    .openapi({ example: "wanjiku@example.com" }),
  nationalId: z.string().trim().min(1).max(50).nullable().optional()
    .openapi({ example: "29384756" }),
  identifiers: z.array(IdentifierEntry).max(10).optional(),
  address: Address.nullable().optional(),
  emergencyContacts: z.array(EmergencyContact).max(10).optional(),
  insurance: z.array(InsuranceEntry).max(10).optional(),
  tags: z.array(Tag).max(20).optional(),
  preferences: Preferences.nullable().optional(),
  status: z.enum(STATUSES).optional(),
  deceasedDate: isoDate.nullable().optional(),
};

export const PatientInput = z.object({
  ...demographics,
  sex: demographics.sex.default("unknown"),
  allowDuplicate: z.boolean().optional().openapi({
    description: "Register even though likely duplicates exist (after a 409 listed them).",
  }),
}).openapi("PatientInput");

export const PatientPatch = z.object(demographics).partial()
  .refine((o) => Object.keys(o).length > 0, "send at least one field").openapi("PatientPatch");

/**
 * A patient as the API shows it. Fields a role may not see are left out (FINANCE sees identity,
 * contact, address, identifiers and insurance only: see visibility.ts).
 */
export const Patient = z.object({
  id: z.string(),
  mrn: z.string().openapi({ example: "MRN000042" }),
  givenName: z.string(),
  middleName: z.string().nullable(),
  familyName: z.string(),
  birthDate: z.string().nullable(),
  birthDateEstimated: z.boolean(),
  sex: z.enum(SEXES),
  phone: z.string().nullable(),
  otherPhones: z.array(PhoneEntry),
  email: z.string().nullable(),
  nationalId: z.string().nullable(),
  identifiers: z.array(IdentifierEntry),
  address: Address.nullable(),
  emergencyContacts: z.array(EmergencyContact).optional(),
  insurance: z.array(InsuranceEntry),
  tags: z.array(z.string()).optional(),
  preferences: Preferences.nullable().optional(),
  status: z.enum(STATUSES),
  deceasedDate: z.string().nullable(),
  lastVisitAt: z.string().nullable(),
  mergedInto: z.string().nullable().openapi({
    description: "Set on a record merged into another: the survivor's id.",
  }),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Patient");

export type PatientInputT = z.infer<typeof PatientInput>;
export type PatientPatchT = z.infer<typeof PatientPatch>;
export type PatientT = z.infer<typeof Patient>;
