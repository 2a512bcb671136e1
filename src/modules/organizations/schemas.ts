import { z } from "@hono/zod-openapi";
import { Email, Password } from "../../lib/schemas.ts";

export const ORG_TYPES = ["CLINIC", "HOSPITAL", "MEDICAL_CENTER"] as const;
export const PRACTICE_SYSTEMS = ["allopathic", "ayurvedic", "homeopathic"] as const;

const isTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const Timezone = z.string().refine(isTimezone, "must be an IANA time zone such as Africa/Nairobi")
  .openapi({ example: "Africa/Nairobi" });
const Currency = z.string().regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as KES")
  .openapi({ example: "KES" });

/** New MRNs only: numbers already given keep their format (an MRN never changes). */
const MrnPrefix = z.string().trim().toUpperCase().regex(/^[A-Z]{0,6}$/, "0-6 letters")
  .openapi({ example: "MRN", description: "Prefix of new MRNs (default MRN)." });
const MrnDigits = z.number().int().min(4).max(12)
  .openapi({ example: 6, description: "Zero-padded width of new MRNs' number (default 6)." });

export const CreateOrganizationBody = z.object({
  name: z.string().trim().min(2).max(200).openapi({ example: "Sunrise Family Clinic" }),
  code: z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{2,20}$/, "2-20 letters, digits or -")
    .optional().openapi({ example: "SUNRISE" }),
  type: z.enum(ORG_TYPES).openapi({ example: "CLINIC" }),
  practiceSystems: z.array(z.enum(PRACTICE_SYSTEMS)).min(1).default(["allopathic"]),
  timezone: Timezone,
  currency: Currency,
  mrnPrefix: MrnPrefix.optional(),
  mrnDigits: MrnDigits.optional(),
  facility: z.object({
    name: z.string().trim().min(2).max(200),
    code: z.string().trim().toUpperCase().regex(/^[A-Z0-9-]{1,20}$/).optional(),
  }).optional().openapi({ description: "First facility; defaults to 'Main' named after the org." }),
  admin: z.object({
    email: Email.openapi({ example: "owner@sunrise.clinic" }),
    password: Password.openapi({
      description: "Ignored when the email already has an account: that person keeps their " +
        "password and becomes this organisation's first admin.",
    }),
    fullName: z.string().trim().min(2).max(200).openapi({ example: "Amina Odhiambo" }),
  }),
}).openapi("CreateOrganizationRequest");

export const Organization = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string(),
  type: z.enum(ORG_TYPES),
  practiceSystems: z.array(z.string()),
  timezone: z.string(),
  currency: z.string(),
  active: z.boolean(),
  mrnPrefix: z.string().openapi({ example: "MRN" }),
  mrnDigits: z.number().int().openapi({ example: 6 }),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
}).openapi("Organization");

export const FacilitySummary = z.object({ id: z.string(), name: z.string(), code: z.string() });
export const AdminSummary = z.object({
  id: z.string(),
  email: z.string(),
  fullName: z.string(),
  role: z.literal("ADMIN"),
  employeeId: z.string(),
});

export const CreateOrganizationResponse = z.object({
  organization: Organization,
  facility: FacilitySummary,
  admin: AdminSummary,
}).openapi("CreateOrganizationResponse");

export const OrganizationPatch = z.object({
  name: z.string().trim().min(2).max(200).optional().openapi({ example: "Sunrise Clinic" }),
  practiceSystems: z.array(z.enum(PRACTICE_SYSTEMS)).min(1).optional(),
  timezone: Timezone.optional(),
  currency: Currency.optional(),
  mrnPrefix: MrnPrefix.optional(),
  mrnDigits: MrnDigits.optional(),
}).refine((o) => Object.keys(o).length > 0, "send at least one field")
  .openapi("OrganizationPatch");
