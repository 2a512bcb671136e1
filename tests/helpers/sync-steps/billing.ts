import type { ClinicSteps } from "./types.ts";

/** Writes the billing tables at a clinic replica (see types.ts). */
export async function billingAtClinic(_c: ClinicSteps): Promise<void> {
}
