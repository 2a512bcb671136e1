/**
 * The email channel: one plain-text message through the SMTP server of SMTP_URL (nodemailer).
 * Each delivery opens its own connection and closes it, so nothing stays open between passes.
 */
import type { AttemptResult } from "./webhook.ts";

export interface EmailMessage {
  id: string;
  to: string;
  subject: string;
  text: string;
}

interface SmtpError extends Error {
  code?: string;
  response?: string;
  responseCode?: number;
  permanent?: boolean;
}

/**
 * Sends the message; never throws. A permanent SMTP rejection (5xx other than 503: unknown
 * mailbox, refused credentials) fails at once; 4xx replies, timeouts and connection errors are
 * retried.
 */
export async function sendEmail(
  smtp: { url: string; from: string },
  message: EmailMessage,
  timeoutMs: number,
): Promise<AttemptResult> {
  // Loaded on the first email, not at start: nodemailer takes ~70 ms to load.
  const { default: nodemailer } = await import("nodemailer");
  const transport = nodemailer.createTransport({
    url: smtp.url,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  const sending = transport.sendMail({
    from: smtp.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    // Receivers (and the people reading) can tell a repeated delivery by it.
    headers: { "X-Clinic-Delivery-Id": message.id },
  });
  // Past the deadline its late failure (the connection closed below) is already reported.
  sending.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  try {
    const info = await Promise.race([sending, deadline]);
    return { outcome: "sent", smtpResponse: info.response };
  } catch (e) {
    const err = e as SmtpError;
    const detail = err.response ?? err.message;
    return {
      outcome: err.permanent ? "failed" : "retry",
      smtpResponse: err.response,
      error: `SMTP${err.code ? ` ${err.code}` : ""}: ${detail}`.slice(0, 500),
    };
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
