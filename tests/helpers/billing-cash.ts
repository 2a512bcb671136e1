/**
 * Invoices for the cash-desk tests. An issued invoice is made through the invoices API when the
 * billing module has it, so the tests exercise the real path; the fields the cash desk reads
 * (total, covered, insurance, status) are what matter here.
 */
import assert from "node:assert/strict";
import type { TestApp } from "./app.ts";
import type { TestOrg } from "./factories.ts";

export interface InvoiceSpec {
  patientId: string;
  lines: { description: string; quantity?: number; unitAmount: number }[];
  encounterId?: string;
}

/** A manual invoice with `lines`, issued; answers the invoice as the API shows it. */
export async function issuedInvoice(t: TestApp, org: TestOrg, spec: InvoiceSpec) {
  const made = await t.call("POST", "/api/v1/invoices", {
    token: org.admin,
    body: {
      patientId: spec.patientId,
      ...(spec.encounterId ? { encounterId: spec.encounterId } : {}),
      lines: spec.lines.map((l) => ({
        description: l.description,
        quantity: l.quantity ?? 1,
        unitAmount: l.unitAmount,
      })),
    },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const issued = await t.call("POST", `/api/v1/invoices/${made.body.id}/issue`, {
    token: org.admin,
  });
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  return issued.body;
}
