/** Diagnoses as notes and templates take them: ICD-10 codes checked against the code list. */
import type { NoteDiagnosis } from "../../../db/schema/mod.ts";
import type { FieldError } from "../../lib/errors.ts";
import { isDiagnosisCode } from "../codes/mod.ts";

export /** Diagnoses as stored: each code checked against the code list, with its title. */
function checkDiagnoses(
  input: { code: string; rank: NoteDiagnosis["rank"]; certainty: NoteDiagnosis["certainty"] }[],
  at: string,
  problems: FieldError[],
): NoteDiagnosis[] {
  const out: NoteDiagnosis[] = [];
  input.forEach((d, i) => {
    const found = isDiagnosisCode(d.code);
    if (!found.ok) {
      problems.push({ path: `${at}.${i}.code`, in: "body", message: found.reason });
      return;
    }
    out.push({ code: found.code, title: found.title, rank: d.rank, certainty: d.certainty });
  });
  if (out.filter((d) => d.rank === "primary").length > 1) {
    problems.push({ path: at, in: "body", message: "at most one primary diagnosis" });
  }
  return out;
}
