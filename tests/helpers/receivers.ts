/**
 * Real receivers for notifications in tests: an HTTP endpoint that checks each webhook's
 * signature as a receiver would, and an SMTP server (smtp-server) that wants a login.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { verifyWebhookSignature } from "../../src/modules/notifications/mod.ts";

export const WEBHOOK_SECRET = "whsec-test-secret-0123456789-0123456789";
const SECRET = WEBHOOK_SECRET;

type TestClock = { now(): Date };

export interface Received {
  id: string | null;
  timestamp: string;
  valid: boolean;
  status: number;
  body: any;
}

/**
 * A webhook receiver on a real port. It checks the signature as a receiver would (with the
 * app's clock as "now") and answers the statuses queued in `replies`, then 200.
 */
export function webhookReceiver(
  clock: TestClock,
  opts: { before?: () => Promise<void> } = {},
) {
  const got: Received[] = [];
  const replies: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const raw = await req.text();
    await opts.before?.();
    const timestamp = req.headers.get("x-clinic-timestamp") ?? "";
    const valid = verifyWebhookSignature(
      SECRET,
      timestamp,
      raw,
      req.headers.get("x-clinic-signature") ?? "",
      { maxAgeSeconds: 300, now: clock.now() },
    );
    const status = valid ? replies.shift() ?? 200 : 401;
    got.push({
      id: req.headers.get("x-clinic-delivery-id"),
      timestamp,
      valid,
      status,
      body: JSON.parse(raw),
    });
    return new Response(status < 300 ? "ok" : "not now", { status });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks/clinic`,
    got,
    replies,
    close: () => server.shutdown(),
  };
}

export interface Mail {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** A real SMTP server on a local port that wants a login and refuses `nobody@…` (550). */
export async function smtpListener() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    onAuth(auth, _session, done) {
      if (auth.username === "clinic" && auth.password === "s3cret") done(null, { user: "clinic" });
      else done(new Error("Invalid username or password"));
    },
    onRcptTo(address, _session, done) {
      if (address.address.startsWith("nobody@")) {
        done(Object.assign(new Error("Mailbox unavailable"), { responseCode: 550 }));
      } else done();
    },
    onData(stream, session, done) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          raw: new TextDecoder().decode(
            chunks.reduce((a, b) => new Uint8Array([...a, ...b]), new Uint8Array()),
          ),
        });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://clinic:s3cret@127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
