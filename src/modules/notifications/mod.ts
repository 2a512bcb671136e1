/**
 * The notification outbox every module uses: appointment reminders now, password-reset codes and
 * critical lab results later. A module enqueues inside its own write transaction (and cancels or
 * reschedules there); the worker started here delivers by webhook or email, retrying on a fixed
 * schedule. README, "Notifications".
 */
import {
  notificationAttempts,
  notifications,
  notificationSecrets,
} from "../../../db/schema/mod.ts";
import { defineModule } from "../../lib/module.ts";
import { ADMIN_ONLY } from "../../lib/permissions.ts";
import { routesOf } from "../../lib/router.ts";
import { startDelivery } from "./delivery.ts";
import { registerNotificationHandlers } from "./handlers.ts";

export {
  cancelNotifications,
  enqueueNotification,
  type NotificationChange,
  type NotificationInput,
  type NotificationView,
  type NotifyingActor,
  type RelatedFilter,
  rescheduleNotifications,
} from "./service.ts";
export {
  deliverDue,
  DELIVERY_TIMEOUT_MS,
  MAX_ATTEMPTS,
  type PassResult,
  RETRY_SCHEDULE_MS,
} from "./delivery.ts";
export { signWebhook, verifyWebhookSignature } from "./webhook.ts";
export type { Channel, Status as NotificationStatus } from "./schemas.ts";

export const notificationsModule = defineModule({
  name: "notifications",
  routes: routesOf(registerNotificationHandlers),
  permissions: { "notifications:read": ADMIN_ONLY, "notifications:write": ADMIN_ONLY },
  tables: [{
    table: notifications,
    // Any node may cancel or move a reminder (an appointment changed at headquarters); the
    // node that created it delivers it, and its delivery state comes back the same way.
    sync: "merge",
    notVersioned: "delivery bookkeeping: each attempt is in notification_attempts, each " +
      "creation, cancellation, rescheduling, retry and delivery is audited",
  }, {
    table: notificationAttempts,
    sync: "local",
    notVersioned: "the delivering node's own append-only log of its attempts",
  }, {
    table: notificationSecrets,
    sync: "local",
    notVersioned: "a body that never leaves the delivering node, deleted once sent",
  }],
  patientReferences: [notifications.patientId],
  onStart: (deps) => Promise.resolve(startDelivery(deps)),
});
