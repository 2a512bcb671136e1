/**
 * CPU profiles of the server process over the V8 inspector protocol (`deno run --inspect`), and a
 * text summary of one: self time grouped by package, and the functions with the most self and
 * inclusive time, converted to µs per request.
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Profiler {
  start(): Promise<void>;
  stop(): Promise<CpuProfile>;
  close(): void;
}

/** Connects to the inspector on `port` and enables the sampling profiler. */
export async function connectProfiler(port: number, intervalUs = 100): Promise<Profiler> {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let seq = 0;
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    if (msg.error) p.reject(new Error(JSON.stringify(msg.error)));
    else p.resolve(msg.result);
  };
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<any>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: intervalUs });
  return {
    start: async () => {
      await send("Profiler.start");
    },
    stop: async () => (await send("Profiler.stop")).profile,
    close: () => ws.close(),
  };
}

const SPECIAL = new Set(["(root)", "(program)", "(idle)", "(garbage collector)"]);

/** Where a frame's code comes from: an npm package, a project folder, a Deno extension. */
function packageOf(f: CallFrame): string {
  if (SPECIAL.has(f.functionName) && !f.url) return f.functionName;
  const url = f.url;
  const npm = url.match(/node_modules\/\.deno\/([^/]+)\//) ??
    url.match(/node_modules\/([^/.][^/]*)\//);
  if (npm) return `npm:${npm[1].replace(/@[\d.]+.*$/, "")}`;
  const project = url.match(/\/work\/main\/(src\/[^/]+|db)\//) ??
    url.match(/file:\/\/.*?\/((?:src|db)\/[^/]+)\//);
  if (project) return project[1];
  if (url.startsWith("ext:")) return url.split("/")[0] + "/" + (url.split("/")[1] ?? "");
  if (url.startsWith("node:")) return url;
  return url ? url.replace(/^file:\/\/.*\/(src|db)\//, "$1/") : "(native/builtin)";
}

function frameKey(f: CallFrame): string {
  const name = f.functionName || "(anonymous)";
  if (!f.url) return name;
  const file = f.url.replace(/^file:\/\/.*\/node_modules\/\.deno\//, "npm:").replace(
    /^file:\/\/.*\/work\/main\//,
    "",
  );
  return `${name}  ${file}:${f.lineNumber + 1}`;
}

/**
 * Steps of a request worth naming, each matched by function name and file. A sample counts for a
 * step when any frame of its stack matches, so nested steps overlap (a step includes what it
 * calls synchronously).
 */
const STEPS: { label: string; fn: RegExp; url: RegExp }[] = [
  {
    label: "Deno.serve: request in, response out",
    fn: /^nativeDispatch$|^fastSyncResponseOrStream$/,
    url: /deno_http/,
  },
  {
    label: "requestContext middleware (incl. downstream sync work)",
    fn: /.*/,
    url: /middleware\/request-context/,
  },
  {
    label: "secureHeaders middleware (incl. downstream sync work)",
    fn: /^secureHeaders$|^setHeaders$/,
    url: /secure-headers/,
  },
  { label: "cors middleware (incl. downstream sync work)", fn: /^cors$/, url: /middleware\/cors/ },
  {
    label: "authenticate (token cache + principal)",
    fn: /^authenticate$/,
    url: /middleware\/auth/,
  },
  {
    label: "  loadPrincipal (sessions/users/memberships)",
    fn: /^loadPrincipal$/,
    url: /principal/,
  },
  { label: "  verifyAccess (JWT cache)", fn: /^verifyAccess$/, url: /tokens/ },
  { label: "readPatient service", fn: /^readPatient$/, url: /patients\/service/ },
  {
    label: "  findPatient (hotRead)",
    fn: /^findPatient$/,
    url: /patients\/repository/,
  },
  {
    label: "  audit.recordRead (build + queue the row)",
    fn: /^recordRead$/,
    url: /audit\/service/,
  },
  {
    label: "audit batch append: params mapping + libsql run + BEGIN/COMMIT",
    fn: /^(params|rowInserter|run|exec)$/,
    url: /db\/client|libsql\/index/,
  },
  { label: "libsql Statement.get (native read)", fn: /^get$/, url: /libsql\/index/ },
  { label: "libsql Statement.raw (mode switch)", fn: /^raw$/, url: /libsql\/index/ },
  { label: "libsql Statement.run (native insert)", fn: /^run$/, url: /libsql\/index/ },
  { label: "libsql Database.exec (BEGIN/COMMIT, fsync)", fn: /^exec$/, url: /libsql\/index/ },
  { label: "drizzle result mapping (mapResultRow)", fn: /^mapResultRow$/, url: /drizzle-orm/ },
  { label: "zod validation", fn: /.*/, url: /\/zod@|zod-validator/ },
  { label: "hono c.json (response + headers)", fn: /^json$/, url: /hono\/dist\/context/ },
  { label: "uuidv7", fn: /.*/, url: /uuidv7/ },
  { label: "garbage collector", fn: /^\(garbage collector\)$/, url: /^$/ },
];

/** A text report; `requests` turns milliseconds into µs per request. */
export function summarizeProfile(profile: CpuProfile, requests: number, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const pkgSelf = new Map<string, number>();
  const steps = new Map<string, number>();
  const nodeSteps = new Map<number, string[]>();
  for (const n of profile.nodes) {
    nodeSteps.set(
      n.id,
      STEPS.filter((st) => st.fn.test(n.callFrame.functionName) && st.url.test(n.callFrame.url))
        .map((st) => st.label),
    );
  }
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000; // ms
    const leaf = byId.get(profile.samples[i])!;
    total += dt;
    if (leaf.callFrame.functionName === "(idle)") {
      idle += dt;
      continue;
    }
    const k = frameKey(leaf.callFrame);
    self.set(k, (self.get(k) ?? 0) + dt);
    const pkg = packageOf(leaf.callFrame);
    pkgSelf.set(pkg, (pkgSelf.get(pkg) ?? 0) + dt);
    const seen = new Set<string>();
    const stepSeen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      for (const label of nodeSteps.get(id)!) stepSeen.add(label);
      const key = frameKey(byId.get(id)!.callFrame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
    }
    for (const label of stepSeen) steps.set(label, (steps.get(label) ?? 0) + dt);
  }
  const busy = total - idle;
  const perReq = (ms: number) => ((ms * 1000) / requests).toFixed(1).padStart(7);
  const pct = (ms: number) => ((100 * ms) / total).toFixed(1).padStart(5);
  const list = (m: Map<string, number>, n: number, skip = (_k: string) => false) =>
    [...m.entries()].filter(([k]) => !skip(k)).sort((a, b) => b[1] - a[1]).slice(0, n)
      .map(([k, ms]) => `  ${perReq(ms)} µs/req  ${pct(ms)}%  ${k}`).join("\n");
  return [
    `profile: ${total.toFixed(0)} ms sampled, ${idle.toFixed(0)} ms idle, ${requests} requests; ` +
    `main thread busy ${perReq(busy).trim()} µs per request`,
    "",
    "Named steps (inclusive; nested steps overlap):",
    ...STEPS.map((st) =>
      `  ${perReq(steps.get(st.label) ?? 0)} µs/req  ${pct(steps.get(st.label) ?? 0)}%  ${st.label}`
    ),
    "",
    "Self time by package / folder:",
    list(pkgSelf, 30),
    "",
    `Top ${top} functions by self time:`,
    list(self, top),
    "",
    `Top ${top * 2} functions by inclusive time:`,
    list(inclusive, top * 2, (k) => SPECIAL.has(k) || k.startsWith("(root)")),
  ].join("\n");
}
