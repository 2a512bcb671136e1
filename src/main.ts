/** Reads the configuration once, builds the app and serves it until SIGINT or SIGTERM. */
import { closeDeps, createApp, createDeps } from "./app.ts";
import { loadConfig } from "./lib/config.ts";

const config = loadConfig();
const deps = await createDeps(config);
const app = createApp(deps);

const server = Deno.serve({
  port: config.port,
  hostname: config.host,
  onListen: ({ hostname, port }) =>
    deps.logger.info("listening", {
      url: `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`,
      docs: `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}/docs`,
      env: config.env,
      database: deps.db.kind,
    }),
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
