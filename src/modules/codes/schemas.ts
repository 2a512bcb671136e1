import { z } from "@hono/zod-openapi";

export const CodeSearchQuery = z.object({
  q: z.string().max(200).optional().openapi({
    param: { name: "q", in: "query" },
    description: "A code or its start (`j18`, `J18.`, `J189`), or words of the title, each the " +
      "start of a word (`diab typ 2`); case, accents and the code's dot are ignored.",
    example: "pneumonia",
  }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({
    param: { name: "limit", in: "query" },
  }),
});

export const Icd10Code = z.object({
  code: z.string().openapi({ example: "J18.9" }),
  title: z.string().openapi({ example: "Pneumonia, unspecified organism" }),
  kind: z.enum(["category", "subcategory"]),
  chapter: z.string().openapi({ example: "X" }),
  block: z.string().nullable().openapi({ example: "J09-J18" }),
}).openapi("Icd10Code");

export const Icd10CodeList = z.object({ data: z.array(Icd10Code) }).openapi("Icd10CodeList");

const Chapter = z.object({
  code: z.string().openapi({ example: "X" }),
  title: z.string().openapi({ example: "Diseases of the respiratory system" }),
  range: z.string().openapi({ example: "J00-J99" }),
});
const Block = z.object({
  code: z.string().openapi({ example: "J09-J18" }),
  title: z.string().openapi({ example: "Influenza and pneumonia" }),
});

export const Icd10Chapters = z.object({
  data: z.array(Chapter.extend({ blocks: z.array(Block) })),
}).openapi("Icd10Chapters");

export const Icd10CodeDetail = z.object({
  code: z.string().openapi({ example: "J18.9" }),
  title: z.string(),
  kind: z.enum(["chapter", "block", "category", "subcategory"]),
  chapter: Chapter,
  block: Block.nullable(),
}).openapi("Icd10CodeDetail");
