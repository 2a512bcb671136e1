/** Rules across fields shared by the clinical entries; each broken rule names its field (422). */
import { type FieldError, unprocessable } from "../../lib/errors.ts";

export interface Dated {
  onsetDate?: string | null;
  endDate?: string | null;
}

/** An onset cannot be in the future, and an end cannot come before its onset. */
export function dateProblems(e: Dated, today: string): FieldError[] {
  const out: FieldError[] = [];
  if (e.onsetDate && e.onsetDate > today) {
    out.push({ path: "onsetDate", in: "body", message: "must not be in the future" });
  }
  if (e.endDate && e.onsetDate && e.endDate < e.onsetDate) {
    out.push({ path: "endDate", in: "body", message: "must not be before onsetDate" });
  }
  return out;
}

/** Throws one 422 listing every broken rule, or does nothing. */
export function refuseIfAny(problems: FieldError[]) {
  if (problems.length === 0) return;
  throw unprocessable(problems.map((p) => `${p.path} ${p.message}`).join("; ") + ".", problems);
}
