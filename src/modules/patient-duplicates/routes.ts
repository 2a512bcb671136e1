import { IdParam, json, jsonBody } from "../../lib/openapi.ts";
import { defineRoute } from "../../middleware/define-route.ts";
import { DuplicateList, MergeInput, MergeResult, UnmergeInput, UnmergeResult } from "./schemas.ts";

const tags = ["Patient duplicates"];

export const list = defineRoute({
  method: "get",
  path: "/patients/{id}/duplicates",
  tags,
  access: "patients:read",
  summary: "List likely duplicates of a patient",
  description: "Records of the organisation that likely are the same person: the same document " +
    "id (national id or any identifier, compared without case, spaces or punctuation), or a " +
    "similar name (equal or within one typo, given and family names possibly swapped) with the " +
    "same date of birth or the same phone (last 9 digits). Merged and deleted records are " +
    "never candidates. Best first, at most 10; each with a score (0–1) and its reasons. " +
    "Audited as patient.duplicates.",
  request: { params: IdParam },
  responses: { 200: json(DuplicateList, "The candidates, best first") },
});

export const merge = defineRoute({
  method: "post",
  path: "/patients/{id}/merge",
  tags,
  access: "patients:merge",
  summary: "Merge a duplicate into this patient",
  description: "The path names the survivor; `duplicateId` the record merged away. In one " +
    "transaction, every row referencing the duplicate (allergies, medical history, documents " +
    "and the references of other modules) moves to the survivor, each as a new version, and " +
    "the moved rows are recorded so that an unmerge can reverse exactly this. The duplicate " +
    "stays readable with `mergedInto` set (GET answers 307 to the survivor), refuses changes " +
    "(409), leaves search, and its MRN finds the survivor. Audited as patient.merge on both " +
    "records. 404 when either record is not in the organisation; 409 when either is already " +
    "merged; 422 when both are the same record.",
  request: { params: IdParam, body: jsonBody(MergeInput) },
  responses: { 200: json(MergeResult, "The survivor, the merged duplicate and the merge") },
  errors: [409, 422],
});

export const unmerge = defineRoute({
  method: "post",
  path: "/patients/{id}/unmerge",
  tags,
  access: "patients:merge",
  summary: "Reverse the merge of a duplicate into this patient",
  description: "Reverses the latest merge of `duplicateId` into the survivor named by the " +
    "path: the rows that merge moved and that still point at the survivor move back (rows " +
    "added to the survivor since stay with it), and the duplicate is a live record again. " +
    "Audited as patient.unmerge on both records. 404 when either record is not in the " +
    "organisation; 409 when the duplicate is not merged into this survivor, or when the " +
    "survivor has itself been merged since (unmerge that first).",
  request: { params: IdParam, body: jsonBody(UnmergeInput) },
  responses: { 200: json(UnmergeResult, "The survivor and the restored duplicate") },
  errors: [409],
});
