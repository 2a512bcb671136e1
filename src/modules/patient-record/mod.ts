/** The record as a whole: its history (every version) and the summary for the doctor's screen. */
import { defineModule } from "../../lib/module.ts";
import { routesOf } from "../../lib/router.ts";
import { registerRecordHandlers } from "./handlers.ts";

export const patientRecordModule = defineModule({
  name: "patient-record",
  routes: routesOf(registerRecordHandlers),
});
