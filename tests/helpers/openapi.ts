/**
 * Walks the served OpenAPI document: the list of operations and a valid sample value for any
 * schema (from its `example`, else from its type), used by the generic route tests.
 */
type Schema = Record<string, any>;

export interface Operation {
  method: string;
  path: string;
  op: Record<string, any>;
  permission: string;
  isPublic: boolean;
  documented: Set<number>;
}

export function operations(spec: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries<any>(spec.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      out.push({
        method: method.toUpperCase(),
        path,
        op,
        permission: op["x-permission"],
        isPublic: !op.security || op.security.length === 0,
        documented: new Set(Object.keys(op.responses).map(Number)),
      });
    }
  }
  return out;
}

export function resolve(spec: any, s: Schema | undefined): Schema {
  let schema = s ?? {};
  while (schema.$ref) {
    const name = schema.$ref.split("/").pop();
    schema = spec.components.schemas[name];
  }
  return schema;
}

let n = 0;
/** A value valid for the schema; strings that are likely unique keys get a suffix. */
export function sample(spec: any, s: Schema | undefined): unknown {
  const schema = resolve(spec, s);
  if (schema.example !== undefined) return uniquify(schema.example);
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.const !== undefined) return schema.const;
  const anyOf = schema.anyOf ?? schema.oneOf;
  if (anyOf) return sample(spec, anyOf.find((x: Schema) => x.type !== "null") ?? anyOf[0]);
  const type = Array.isArray(schema.type)
    ? schema.type.find((t: string) => t !== "null")
    : schema.type;
  switch (type) {
    case "object": {
      const obj: Record<string, unknown> = {};
      for (const [k, v] of Object.entries<Schema>(schema.properties ?? {})) {
        if (schema.required?.includes(k) || resolve(spec, v).example !== undefined) {
          obj[k] = sample(spec, v);
        }
      }
      return obj;
    }
    case "array":
      return [sample(spec, schema.items)];
    case "integer":
    case "number":
      return schema.minimum ?? 1;
    case "boolean":
      return true;
    case "string":
      if (schema.format === "uuid") return crypto.randomUUID();
      if (schema.format === "email") return `x${n++}@example.test`;
      if (schema.format === "date-time") return new Date().toISOString();
      return "x".repeat(Math.max(schema.minLength ?? 1, 1));
    default:
      return null;
  }
}

function uniquify(example: unknown): unknown {
  if (typeof example === "string" && example.includes("@")) {
    return example.replace("@", `+${Date.now().toString(36)}${n++}@`);
  }
  return example;
}

export function sampleBody(spec: any, op: Record<string, any>): unknown {
  const content = op.requestBody?.content ?? {};
  if (content["multipart/form-data"]) {
    return sampleForm(spec, content["multipart/form-data"].schema);
  }
  const schema = content["application/json"]?.schema;
  return schema ? sample(spec, schema) : undefined;
}

/** The smallest valid PNG header: a file any upload route can take (documents accept it). */
export const SAMPLE_PNG = Uint8Array.from([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  13,
  0x49,
  0x48,
  0x44,
  0x52,
  0,
  0,
  0,
  1,
  0,
  0,
  0,
  1,
  8,
  2,
  0,
  0,
  0,
  0x90,
  0x77,
  0x53,
  0xde,
]);

/** A multipart form with each required field: binary fields get a small PNG file. */
export function sampleForm(spec: any, s: Schema | undefined, extra: Record<string, string> = {}) {
  const schema = resolve(spec, s);
  const form = new FormData();
  for (const [k, v] of Object.entries<Schema>(schema.properties ?? {})) {
    if (!schema.required?.includes(k)) continue;
    const field = resolve(spec, v);
    if (field.format === "binary") {
      form.append(k, new File([SAMPLE_PNG], "sample.png", { type: "image/png" }));
    } else form.append(k, String(sample(spec, field)));
  }
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  return form;
}
