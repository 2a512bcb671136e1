/**
 * The webhook channel: a signed JSON POST to NOTIFY_WEBHOOK_URL.
 *
 * Signature scheme (README, "Notifications"): `X-Clinic-Timestamp` is the time of sending in
 * Unix seconds, and `X-Clinic-Signature` is `v1=` followed by the hex HMAC-SHA256, keyed with
 * NOTIFY_WEBHOOK_SECRET, of `<timestamp>.<raw body>`. `X-Clinic-Delivery-Id` is the
 * notification's id: delivery is at least once, so a receiver drops an id it has seen.
 */
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";

/** `v1=<hex>` for a body sent at `timestamp` (Unix seconds, as a string). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

/**
 * Whether `header` (X-Clinic-Signature) signs `body` sent at `timestamp` (X-Clinic-Timestamp)
 * with `secret`. Compares in constant time; accepts a header listing several signatures
 * (`v1=…,v1=…`, as during a change of secret). With `maxAgeSeconds`, a timestamp further than
 * that from `now` (default: the current time) is refused too, so a recorded request cannot be
 * replayed later.
 *
 * ```ts
 * const raw = await req.text(); // the raw body, before parsing it
 * const ok = verifyWebhookSignature(
 *   secret,
 *   req.headers.get("x-clinic-timestamp") ?? "",
 *   raw,
 *   req.headers.get("x-clinic-signature") ?? "",
 *   { maxAgeSeconds: 300 },
 * );
 * ```
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string,
  body: string,
  header: string,
  opts: { maxAgeSeconds?: number; now?: Date } = {},
): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  if (opts.maxAgeSeconds !== undefined) {
    const now = (opts.now ?? new Date()).getTime() / 1000;
    if (Math.abs(now - Number(timestamp)) > opts.maxAgeSeconds) return false;
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  return header.split(",").map((s) => Buffer.from(s.trim())).some((given) =>
    given.length === expected.length && timingSafeEqual(given, expected)
  );
}

/** What one delivery attempt came to. */
export interface AttemptResult {
  /** `retry`: a failure that may pass (5xx, 408, 429, network); `failed`: one that will not. */
  outcome: "sent" | "retry" | "failed";
  httpStatus?: number;
  smtpResponse?: string;
  error?: string;
}

export interface WebhookMessage {
  id: string;
  kind: string;
  patientId: string | null;
  relatedType: string;
  relatedId: string;
  subject: string;
  body: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/** HTTP status → outcome: 2xx sent; 408, 429 and 5xx may pass; any other answer will not. */
export function outcomeOfStatus(status: number): AttemptResult["outcome"] {
  if (status >= 200 && status < 300) return "sent";
  if (status === 408 || status === 429 || status >= 500) return "retry";
  return "failed";
}

/** POSTs the message; never throws (a network error or a timeout is a retry). */
export async function sendWebhook(
  target: { url: string; secret: string },
  message: WebhookMessage,
  now: Date,
  timeoutMs: number,
): Promise<AttemptResult> {
  const body = JSON.stringify(message);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    const res = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "clinic-api-notifications",
        "x-clinic-timestamp": timestamp,
        "x-clinic-signature": signWebhook(target.secret, timestamp, body),
        "x-clinic-delivery-id": message.id,
      },
      body,
      // A redirect would turn the POST into a GET elsewhere: a wrong URL, reported as such.
      redirect: "manual",
      signal: abort.signal,
    });
    const text = (await res.text()).slice(0, 200);
    const outcome = outcomeOfStatus(res.status);
    if (outcome === "sent") return { outcome, httpStatus: res.status };
    const why = res.status >= 300 && res.status < 400
      ? `redirect to ${res.headers.get("location") ?? "?"} not followed`
      : text;
    return { outcome, httpStatus: res.status, error: `HTTP ${res.status}${why ? `: ${why}` : ""}` };
  } catch (err) {
    const error = abort.signal.aborted
      ? `no answer within ${timeoutMs / 1000} s`
      : `unreachable: ${(err as Error).message}`;
    return { outcome: "retry", error };
  } finally {
    clearTimeout(timer);
  }
}
