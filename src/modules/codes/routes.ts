import { json } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { CodeSearchQuery, Icd10Chapters, Icd10CodeDetail, Icd10CodeList } from "./schemas.ts";

const tags = ["Codes"];

export const search = defineRoute({
  method: "get",
  path: "/codes/icd10",
  tags,
  access: "codes:read",
  summary: "Search ICD-10-CM diagnosis codes",
  description: "By code prefix or title words: the exact code first, then codes starting " +
    "with the query (by code), then title matches (whole words before word starts, shorter " +
    "titles first). Chapters and blocks are not diagnoses and are not listed; an empty `q` " +
    "answers no codes. `limit` 1-100, default 20.",
  request: { query: CodeSearchQuery },
  responses: { 200: json(Icd10CodeList, "Matching codes, best first") },
});

export const chapters = defineRoute({
  method: "get",
  path: "/codes/icd10/chapters",
  tags,
  access: "codes:read",
  summary: "The 22 ICD-10-CM chapters, each with its blocks",
  responses: { 200: json(Icd10Chapters, "Chapters in order, with their blocks") },
});

/**
 * The code is declared as a plain OpenAPI parameter, not a validated one: anything that is not a
 * code, block or chapter of the list is simply not found (404).
 */
export const read = defineRoute({
  method: "get",
  path: "/codes/icd10/{code}",
  tags,
  access: "codes:read",
  summary: "One ICD-10-CM code, block or chapter, with its chapter and block",
  description: "`J18.9` or `j189`, a block (`J09-J18`) or a chapter (`X`); 404 if unknown.",
  parameters: [{
    name: "code",
    in: "path",
    required: true,
    description: "A code with or without its dot, a block's range or a chapter's numeral.",
    schema: { type: "string", example: "J18.9" },
  }],
  responses: { 200: json(Icd10CodeDetail, "The code with its chapter and block") },
});
