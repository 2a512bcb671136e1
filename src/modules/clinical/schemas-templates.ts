/**
 * API shapes of consultation and prescription templates. A template's content is what the write
 * routes take: a note template holds `NoteInput`'s fields, a prescription template the items of
 * `PrescriptionInput`; both are reused here so that a template cannot drift from what it fills.
 */
import { z } from "@hono/zod-openapi";
import { NoteInput } from "./schemas.ts";
import { PrescriptionInput } from "./schemas-prescriptions.ts";

export const TEMPLATE_KINDS = ["note", "prescription"] as const;

/** A prescribed medicine as POST /prescriptions takes it. */
const PrescriptionItem = PrescriptionInput.shape.items.element;

export const PrescriptionTemplateContent = z.object({
  items: z.array(PrescriptionItem).min(1).max(30),
}).openapi("PrescriptionTemplateContent");

const Name = z.string().trim().min(1).max(200).openapi({ example: "URTI adult" });
const Shared = z.boolean().default(false).openapi({
  description: "Organisation-wide (needs `templates:share`) instead of the caller's own",
});

export const TemplateInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("note"), name: Name, shared: Shared, content: NoteInput }),
  z.object({
    kind: z.literal("prescription"),
    name: Name,
    shared: Shared,
    content: PrescriptionTemplateContent,
  }),
]).openapi("TemplateInput");

export const TemplatePatch = z.object({
  name: Name.optional(),
  content: z.record(z.string(), z.unknown()).optional().openapi({
    description: "Replaces the content whole, in the template's kind: NoteInput's fields for " +
      "a note template, PrescriptionTemplateContent for a prescription one",
  }),
  active: z.boolean().optional().openapi({ description: "true reactivates a deactivated one" }),
}).refine((o) => Object.keys(o).length > 0, "send at least one field").openapi("TemplatePatch");

const StoredDiagnosis = z.object({
  code: z.string(),
  title: z.string().openapi({ description: "From the code list when the template was saved" }),
  rank: z.enum(["primary", "secondary"]),
  certainty: z.enum(["provisional", "confirmed"]),
});

export const NoteTemplateContent = NoteInput.extend({
  diagnoses: z.array(StoredDiagnosis).optional(),
}).openapi("NoteTemplateContent");

export const Template = z.object({
  id: z.string(),
  kind: z.enum(TEMPLATE_KINDS),
  name: z.string(),
  shared: z.boolean().openapi({ description: "Organisation-wide; else its owner's own" }),
  ownerId: z.string().nullable(),
  content: z.union([NoteTemplateContent, PrescriptionTemplateContent]).openapi({
    description: "NoteTemplateContent for a note template; PrescriptionTemplateContent (items " +
      "to send to POST /prescriptions) for a prescription one",
  }),
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
}).openapi("Template");

export const TemplateList = z.object({
  data: z.array(Template),
  nextCursor: z.string().nullable(),
}).openapi("TemplateList");

export const TemplateListQuery = z.object({
  kind: z.enum(TEMPLATE_KINDS).optional(),
  q: z.string().trim().max(100).optional().openapi({ description: "Words of the name" }),
  include: z.enum(["inactive"]).optional().openapi({
    description: "`inactive`: deactivated ones too",
  }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

export const ApplyTemplateInput = z.object({
  templateId: z.string().uuid(),
  overwrite: z.boolean().default(false).openapi({
    description: "Replace fields the draft already has (default: keep them)",
  }),
}).openapi("ApplyTemplateInput");
