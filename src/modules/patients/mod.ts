import { createRouter } from "../../lib/router.ts";
import { registerPatientHandlers } from "./handlers.ts";

export function patientsModule() {
  const r = createRouter();
  registerPatientHandlers(r);
  return r;
}
