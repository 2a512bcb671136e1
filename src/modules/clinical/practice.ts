/**
 * Practice systems (*hms*): an organisation practises allopathic, ayurvedic and/or homeopathic
 * medicine, and each system adds its own fields to a consultation note and to a prescribed
 * medicine. One mechanism for all: a schema per system and per place, checked against the
 * organisation's systems; a field of a system the organisation does not practise is refused.
 */
import { z } from "@hono/zod-openapi";
import { eq, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { type Db, prepared } from "../../../db/client.ts";
import { organizations } from "../../../db/schema/mod.ts";
import { type FieldError, unprocessable } from "../../lib/errors.ts";

const DOSHA_STATE = z.enum(["balanced", "aggravated", "depleted"]);
const RASA = z.enum(["madhura", "amla", "lavana", "katu", "tikta", "kashaya"]);

/** Ayurvedic, homeopathic and allopathic fields, by where they go. */
export const PRACTICE_FIELDS = {
  note: {
    allopathic: z.object({}).strict(),
    ayurvedic: z.object({
      doshaAssessment: z.object({ vata: DOSHA_STATE, pitta: DOSHA_STATE, kapha: DOSHA_STATE })
        .partial().optional(),
      prakriti: z.string().trim().max(100).optional().openapi({ example: "vata-pitta" }),
      agni: z.enum(["sama", "vishama", "tikshna", "manda"]).optional(),
    }).strict(),
    homeopathic: z.object({
      constitution: z.string().trim().max(200).optional(),
      miasm: z.enum(["psora", "sycosis", "syphilis", "tubercular", "cancer"]).optional(),
      repertorisation: z.string().trim().max(5000).optional(),
    }).strict(),
  },
  item: {
    allopathic: z.object({
      strength: z.string().trim().max(50).optional().openapi({ example: "500 mg" }),
      form: z.enum([
        "tablet",
        "capsule",
        "syrup",
        "suspension",
        "injection",
        "cream",
        "ointment",
        "drops",
        "inhaler",
        "suppository",
        "patch",
        "powder",
      ]).optional(),
    }).strict(),
    ayurvedic: z.object({
      rasa: z.array(RASA).max(6).optional(),
      virya: z.enum(["ushna", "sheeta"]).optional(),
      vipaka: z.enum(["madhura", "amla", "katu"]).optional(),
      anupana: z.string().trim().max(200).optional().openapi({
        description: "What the dose is taken with: warm water, honey, ghee…",
        example: "warm water",
      }),
    }).strict(),
    homeopathic: z.object({
      // Decimal (X), centesimal (C) and LM potencies, or the high ones by name.
      potency: z.string().regex(
        /^(\d{1,4}(X|C|CH|LM)|1M|10M|50M|CM|MM)$/,
        "a potency such as 6X, 30C, 200C, 0/1 LM as 1LM, 1M or 10M",
      ).optional(),
      repetition: z.string().trim().max(200).optional().openapi({
        example: "once a day for 3 days",
      }),
    }).strict(),
  },
} as const;

const practiceInput = (example: Record<string, Record<string, unknown>>) =>
  z.record(z.string(), z.record(z.string(), z.any())).nullable().optional().openapi({
    description: "Fields of the organisation's practice systems, by system: allopathic " +
      "(strength, form), ayurvedic (rasa, virya, vipaka, anupana; on a note: doshaAssessment, " +
      "prakriti, agni), homeopathic (potency, repetition; on a note: constitution, miasm, " +
      "repertorisation). A system the organisation does not practise answers 422.",
    example,
  });

export const NotePracticeInput = practiceInput({ allopathic: {} });
export const ItemPracticeInput = practiceInput({
  allopathic: { strength: "500 mg", form: "capsule" },
});

export async function practiceSystemsOf(db: Db, orgId: string): Promise<string[]> {
  return (await systemsOf.get(db, { orgId }))?.systems ?? [];
}
// Every prescription and note reads it: built once.
const systemsOf = prepared<{ systems: string[] | null }>(
  new QueryBuilder().select({ systems: organizations.practiceSystems }).from(organizations)
    .where(eq(organizations.id, sql.placeholder("orgId"))),
);

/**
 * The practice fields as stored, or the problems with them (paths under `at`): each system must
 * be one the organisation practises, and its fields as its schema says.
 */
export function checkPractice(
  where: keyof typeof PRACTICE_FIELDS,
  value: Record<string, Record<string, unknown>> | null | undefined,
  systems: string[],
  at: string,
  problems: FieldError[],
): Record<string, Record<string, unknown>> | null | undefined {
  if (value === undefined || value === null) return value;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [system, fields] of Object.entries(value)) {
    const schema = (PRACTICE_FIELDS[where] as Record<string, z.ZodTypeAny>)[system];
    if (!schema) {
      problems.push({ path: `${at}.${system}`, in: "body", message: "not a practice system" });
      continue;
    }
    if (!systems.includes(system)) {
      problems.push({
        path: `${at}.${system}`,
        in: "body",
        message: `the organisation does not practise ${system} medicine`,
      });
      continue;
    }
    const parsed = schema.safeParse(fields);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          path: [at, system, ...issue.path.map(String)].join("."),
          in: "body",
          message: issue.message,
        });
      }
      continue;
    }
    out[system] = parsed.data as Record<string, unknown>;
  }
  return out;
}

export const refuse = (problems: FieldError[], what: string) => {
  if (problems.length) throw unprocessable(what, problems);
};
