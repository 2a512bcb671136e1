import type { ClinicSteps } from "./types.ts";

/** Writes this part's synced tables at a clinic replica (see types.ts). */
export async function countsAtClinic(_c: ClinicSteps): Promise<void> {
}
