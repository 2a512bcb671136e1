/** Reads the configuration once, builds the app and serves it until SIGINT or SIGTERM. */
import { closeDeps, createApp, createDeps } from "./app.ts";
import { loadConfig } from "./lib/config.ts";

// Start-up marks (ms since the process began), logged at debug level once listening, so that
// `deno task bench:cold-start` can show where start-up goes.
const marks: Record<string, number> = {};
const mark = (step: string) => (marks[step] = Math.round(performance.now() * 10) / 10);
mark("modules loaded");

const config = loadConfig();
const deps = await createDeps(config, { mark });
const app = createApp(deps);
mark("app built");

const server = Deno.serve({
  port: config.port,
  hostname: config.host,
  onListen: ({ hostname, port }) => {
    mark("listening");
    deps.logger.info("listening", {
      url: `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`,
      docs: `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}/docs`,
      env: config.env,
      database: deps.db.kind,
    });
    deps.logger.debug("startup", { timeOrigin: performance.timeOrigin, marks });
  },
}, app.fetch);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  deps.logger.info("shutting down", { signal });
  // Stop accepting, let in-flight requests finish, then flush the audit queue and close the DB.
  await server.shutdown();
  await closeDeps(deps);
  Deno.exit(0);
}
Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));
