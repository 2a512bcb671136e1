import type { ClinicSteps } from "./types.ts";

/** Writes the account tables at a clinic replica (see types.ts). */
export async function accountsAtClinic(_c: ClinicSteps): Promise<void> {
}
