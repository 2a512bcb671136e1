/**
 * Medical record numbers: the organisation's prefix, an optional site code and its counter
 * zero-padded (MRN000042, or MRNK2-000042 on site K2). The counter is bumped inside the
 * registration's write transaction (`nextSequence`), so concurrent registrations never share a
 * number, and it never goes back, so a number is never reused, not even after a delete or merge.
 *
 * Sites: a clinic replica that registers patients offline sets SITE_CODE; it then counts on a
 * sequence of its own ("mrn:K2") and its numbers carry the code, so two clinics allocating offline
 * cannot produce the same MRN when their records meet at the primary.
 */
import { nextSequence } from "../../../db/changes.ts";
import type { Db } from "../../../db/client.ts";

export interface MrnFormat {
  prefix: string;
  digits: number;
}

export function formatMrn(seq: number, format: MrnFormat, siteCode?: string | null) {
  const number = String(seq).padStart(format.digits, "0");
  return siteCode ? `${format.prefix}${siteCode}-${number}` : `${format.prefix}${number}`;
}

export async function allocateMrn(
  tx: Db,
  orgId: string,
  format: MrnFormat,
  siteCode?: string | null,
) {
  const seq = await nextSequence(tx, orgId, siteCode ? `mrn:${siteCode}` : "mrn");
  return formatMrn(seq, format, siteCode);
}
