/**
 * What the randomised sync test hands each module's clinic-side steps: calls to the clinic
 * replica as its pharmacist or its admin, and what the pharmacy part has made so far. Each
 * step asserts its own answers and writes to the tables it owns, so the test can check that
 * every synced table converges.
 */
export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
}

export interface ClinicSteps {
  asPharmacist(method: string, path: string, body?: unknown): Promise<Answer>;
  asAdmin(method: string, path: string, body?: unknown): Promise<Answer>;
  /** A medication with stock at the clinic (100 received, a few sold). */
  medicationId: string;
  /** A signed-off prescription for paracetamol at the clinic, not yet dispensed. */
  prescriptionId: string;
  /** A walk-in visit at the clinic (started, not closed) and its patient. */
  encounterId: string;
  patientId: string;
}
