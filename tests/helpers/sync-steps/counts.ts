import assert from "node:assert/strict";
import type { Answer, ClinicSteps } from "./types.ts";

const ok = (res: Answer, what: string) => {
  assert.equal(res.status, 200, `${what}: ${JSON.stringify(res.body)}`);
  return res.body;
};

/**
 * Writes this part's synced tables at a clinic replica (see types.ts): a count of the clinic's
 * medication opened, each batch counted two short, submitted, approved when its variance needs
 * it, and posted.
 */
export async function countsAtClinic(c: ClinicSteps): Promise<void> {
  const opened = await c.asPharmacist("POST", "/stock/counts", {
    medicationIds: [c.medicationId],
    notes: "Clinic count",
  });
  assert.equal(opened.status, 201, JSON.stringify(opened.body));
  assert.match(opened.body.number, /^CNT-K3-\d{4}-\d{4}$/, "numbered with the site code");
  const id = opened.body.id;
  assert.ok(opened.body.lines.length > 0, "the medication has stock at the clinic");
  const counted = ok(
    await c.asPharmacist("POST", `/stock/counts/${id}/lines`, {
      items: opened.body.lines.map((l: { batchId: string; expectedNow: number }) => ({
        batchId: l.batchId,
        quantity: Math.max(l.expectedNow - 2, 0),
      })),
    }),
    "count lines",
  );
  const submitted = ok(await c.asPharmacist("POST", `/stock/counts/${id}/submit`, {}), "submit");
  assert.ok(counted.lines.every((l: { variance: number | null }) => l.variance !== null));
  if (submitted.needsApproval) {
    ok(await c.asAdmin("POST", `/stock/counts/${id}/approve`, { note: "Seen" }), "approve");
  }
  const posted = ok(await c.asPharmacist("POST", `/stock/counts/${id}/post`), "post");
  assert.equal(posted.status, "posted");
}
