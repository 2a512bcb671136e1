/**
 * A count's way to the ledger: open → submitted (every batch counted, or the uncounted taken
 * as empty) → approved by an admin when a variance is above the threshold → posted as one
 * `count_variance` movement per non-zero variance; or cancelled before it is posted. Each step
 * checks the status inside its write transaction, so two racing posts write the variances once.
 */
import type { z } from "@hono/zod-openapi";
import type { Db } from "../../../db/client.ts";
import { stockBatches, stockCountLines, stockCounts } from "../../../db/schema/mod.ts";
import { findInTenant } from "../../../db/tenant.ts";
import type { Actor, Deps } from "../../lib/context.ts";
import { conflict, ProblemError } from "../../lib/errors.ts";
import { auditedUpdate } from "../../lib/writes.ts";
import { countLines, type CountRow, exceeds, thresholdOf, toCount } from "./counts.ts";
import { detectForMovements } from "./findings/detect.ts";
import { move, onHand } from "./ledger.ts";
import type { ApproveInput, SubmitInput } from "./schemas-counts.ts";
import { batchRef } from "./service.ts";

type Step = "submit" | "approve" | "post" | "cancel";
const FROM: Record<Step, string[]> = {
  submit: ["open"],
  approve: ["submitted"],
  post: ["submitted"],
  cancel: ["open", "submitted"],
};
const DONE: Record<Step, string> = {
  submit: "submitted",
  approve: "approved",
  post: "posted",
  cancel: "cancelled",
};

/** Moves the count's status in `tx`, after `check` on the row as it is; audited. */
function step(
  deps: Deps,
  tx: Db,
  a: Actor,
  id: string,
  name: Step,
  set: Partial<CountRow> | ((before: CountRow) => Promise<Partial<CountRow>>),
  check?: (c: CountRow) => Promise<void>,
) {
  return auditedUpdate(deps, tx, a, {
    table: stockCounts,
    label: "Stock count",
    id,
    expectedVersion: undefined,
    action: `stock-count.${name}`,
    entityType: "stock-count",
    fields: ["status", "approvedBy"],
    check: async (before) => {
      if (!FROM[name].includes(before.status)) {
        throw conflict(`Count ${before.number} is ${before.status}; it cannot be ${DONE[name]}.`, {
          state: before.status,
        });
      }
      await check?.(before);
    },
    set,
  });
}

export async function submitCount(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof SubmitInput>,
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const set = { status: "submitted", submittedAt: at };
    const row = await step(deps, tx, a, id, "submit", set, async (count) => {
      const uncounted = (await countLines(tx, count)).filter((l) => l.countedQuantity === null);
      if (uncounted.length && !input.uncountedAsZero) {
        throw new ProblemError(
          422,
          `${uncounted.length} batch(es) of count ${count.number} were not counted: count them, ` +
            "or submit with uncountedAsZero to take them as found empty.",
          {
            errors: [{
              path: "uncountedAsZero",
              in: "body",
              message: `not counted: ${
                uncounted.map((l) => `${l.medication} ${l.batchNumber}`).join(", ")
              }`,
            }],
            uncounted: uncounted.map((l) => ({
              batchId: l.batchId,
              batchNumber: l.batchNumber,
              medicationId: l.medicationId,
            })),
          },
        );
      }
      for (const l of uncounted) {
        await auditedUpdate(deps, tx, a, {
          table: stockCountLines,
          label: "Count line",
          id: l.id,
          expectedVersion: undefined,
          action: "stock-count-line.count",
          entityType: "stock-count-line",
          fields: ["countedQuantity", "variance"],
          set: {
            countedQuantity: 0,
            countedBy: a.userId,
            countedAt: at,
            variance: -(await onHand(tx, l.batchId)),
          },
        });
      }
    });
    return await toCount(deps, tx, row);
  });
}

/** An admin's approval of variances above the threshold; the note joins the count's notes. */
export async function approveCount(
  deps: Deps,
  a: Actor,
  id: string,
  input: z.infer<typeof ApproveInput>,
) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const set = (before: CountRow) =>
      Promise.resolve({
        approvedBy: a.userId,
        approvedAt: at,
        notes: [before.notes, `Variance approved: ${input.note}`].filter(Boolean).join("\n"),
      });
    const row = await step(deps, tx, a, id, "approve", set, async (count) => {
      if (count.approvedAt) {
        throw conflict(`Count ${count.number} was approved already.`, {
          approvedAt: count.approvedAt,
        });
      }
      const view = await toCount(deps, tx, count);
      if (!view.needsApproval) {
        throw conflict(`No variance of count ${count.number} is above the threshold; post it.`, {
          threshold: view.threshold,
        });
      }
    });
    return await toCount(deps, tx, row);
  });
}

/**
 * Writes the variances to the ledger. A variance that would take a batch below zero (units left
 * it after it was counted) refuses the whole post: the count is cancelled and counted again.
 */
export async function postCount(deps: Deps, a: Actor, id: string) {
  const at = deps.clock.now().toISOString();
  return await deps.db.transaction(async (tx) => {
    const set = { status: "posted", postedAt: at };
    // The movements are written once the step has seen the count submitted, in its transaction:
    // of two racing posts the second finds it posted and writes nothing.
    const row = await step(deps, tx, a, id, "post", set, async (count) => {
      const threshold = await thresholdOf(deps, tx, a.orgId);
      const lines = (await countLines(tx, count)).filter((l) => l.variance);
      const above = lines.filter((l) => exceeds(threshold, l.variance!, l.unitCost));
      if (above.length && !count.approvedAt) {
        throw conflict(
          `Count ${count.number} has variances above the threshold (${threshold.units} units` +
            `${threshold.value === null ? "" : ` or ${threshold.value} at cost`}): an admin ` +
            "approves it before it is posted.",
          { lines: above.map((l) => ({ batchId: l.batchId, variance: l.variance })) },
        );
      }
      const short = [];
      const moved = [];
      for (const l of lines) {
        const batch = (await findInTenant(tx, stockBatches, a.orgId, l.batchId))!;
        const m = await move(tx, batchRef(batch), {
          type: "count_variance",
          quantity: l.variance!,
          actorId: a.userId,
          at,
          reason: `count ${count.number}`,
          documentType: "stock_count",
          documentId: count.id,
        });
        if (!m) short.push({ ...l, onHand: await onHand(tx, l.batchId) });
        else moved.push(m);
      }
      if (short.length) {
        throw conflict(
          `Posting count ${count.number} would take ${
            short.map((l) =>
              `${l.medication} ${l.batchNumber} (${l.onHand} on hand, variance ` +
              `${l.variance})`
            ).join(", ")
          } below zero: units left after it was counted. Cancel the count and count again.`,
          {
            lines: short.map((l) => ({
              batchId: l.batchId,
              onHand: l.onHand,
              variance: l.variance,
            })),
          },
        );
      }
      // A variance above the count-variance rule's threshold is a finding, raised with the post.
      await detectForMovements(deps, tx, a, moved);
    });
    return await toCount(deps, tx, row);
  });
}

export async function cancelCount(deps: Deps, a: Actor, id: string) {
  return await deps.db.transaction(async (tx) => {
    const row = await step(deps, tx, a, id, "cancel", { status: "cancelled" });
    return await toCount(deps, tx, row);
  });
}
