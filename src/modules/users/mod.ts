import { createRouter } from "../../lib/router.ts";
import { registerUserHandlers } from "./handlers.ts";

export function usersModule() {
  const r = createRouter();
  registerUserHandlers(r);
  return r;
}
