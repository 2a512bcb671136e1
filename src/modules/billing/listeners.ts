/** Charges from billable events, in the emitter's transaction (see src/lib/events.ts). */
import type { Listener } from "../../lib/context.ts";

export const billingListeners: Record<string, Listener> = {};
