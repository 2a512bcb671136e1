/**
 * Interactive API docs at /docs, served entirely from the installed swagger-ui-dist package, so
 * they work in a clinic with no internet.
 */
import { Hono } from "hono";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { projectFile } from "../../../db/paths.ts";

const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};

const page = () =>
  `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Clinic API docs</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

const init = (specUrl: string) =>
  `window.ui = SwaggerUIBundle({
  url: ${JSON.stringify(specUrl)},
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: "StandaloneLayout",
});`;

function assetDir(): string {
  const require = createRequire(projectFile("deno.json"));
  return dirname(require.resolve("swagger-ui-dist/package.json"));
}

export function docsRoutes(specUrl: string) {
  const app = new Hono();
  const cache = new Map<string, Uint8Array>();
  // A strict CSP fits: everything comes from this origin, and the init script is a file.
  const csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";
  app.get("/docs", (c) => c.html(page(), 200, { "Content-Security-Policy": csp }));
  app.get(
    "/docs/init.js",
    (c) => c.body(init(specUrl), 200, { "Content-Type": "text/javascript; charset=utf-8" }),
  );
  app.get("/docs/:asset", (c) => {
    const name = c.req.param("asset");
    const type = ASSETS[name];
    if (!type) return c.notFound();
    let bytes = cache.get(name);
    if (!bytes) cache.set(name, bytes = readFileSync(join(assetDir(), name)));
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": type,
      "Cache-Control": "public, max-age=86400",
    });
  });
  return app;
}
