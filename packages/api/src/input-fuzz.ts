// Test helper: fast-check arbitraries derived from a procedure's own zod schema (through its JSON Schema),
// mixing valid values, boundary values and hostile ones at every level. Used by input-fuzz.test.ts.
import fc from "fast-check";
import { z } from "zod";

/** The subset of JSON Schema that `z.toJSONSchema` produces for our inputs. */
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
}

/** Ids and addresses the generated input may name: the caller's own objects and another tenant's. */
export interface FuzzPool {
  ids: string[];
  emails: string[];
}

const uuidLike = "00000000-0000-4000-8000-000000000000";

/** Text PostgreSQL cannot store, or that has broken services before. */
const hostileStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\ud83d",
  "😀\u200b\u202e‮ﷺ",
  "'; drop table tenants; --",
  "%00%ZZ%E0%A4%A",
  "../../../../etc/passwd",
  "<script>alert(1)</script>",
  "{{7*7}}<%= 7*7 %>",
  "__proto__",
  "x".repeat(10_000),
  "é".repeat(300_000),
];

/** Dates and cursors at and past every edge: year 0, JavaScript's last day, impossible calendar days. */
const hostileDates = [
  "0000-01-01",
  "0000-00-00T00:00:00.000000Z",
  "-000001-01-01T00:00:00.000Z",
  "1969-12-31T23:59:59.999Z",
  "1970-01-01",
  "9999-12-31T23:59:59.999Z",
  "10000-01-01",
  "275760-09-13",
  "+275760-09-13T00:00:00.000Z",
  "2026-02-30",
  "2026-13-45T99:99:99.000000Z",
  `0000-00-00T00:00:00.000000Z_${uuidLike}`,
  `2026-13-45T99:99:99.000000Z_${uuidLike}`,
  `+275760-09-13T00:00:00.000Z_${uuidLike}`,
  `2026-01-01T00:00:00.000Z_${uuidLike}_x`,
];

const hostileNumbers = [0, -0, -1, 0.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 2 ** 63, 1e308, -1e308, 5e-324];

/** Input nested `depth` levels deep, as arrays or objects. */
function nested(depth: number, asObject: boolean): unknown {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value];
  return value;
}

/** A value of any shape that no schema should trip over: wrong types, extremes, deep nesting. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...hostileStrings),
  fc.constantFrom(...hostileDates),
  fc.constantFrom(...hostileNumbers),
  fc.constantFrom(null, true, false, [], {}, [1, "a", null]),
  fc.constantFrom(JSON.parse('{"__proto__":{"polluted":1}}'), {
    constructor: { prototype: { polluted: 1 } },
  }),
  fc
    .tuple(fc.integer({ min: 10, max: 400 }), fc.boolean())
    .map(([depth, asObject]) => nested(depth, asObject)),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.anything({ maxDepth: 3, maxKeys: 5 }),
);

const day = (date: Date) => date.toISOString().slice(0, 10);
const saneDate = fc.date({
  min: new Date("1970-01-01T00:00:00Z"),
  max: new Date("9999-12-31T23:59:59Z"),
  noInvalidDate: true,
});

function stringArbitrary(schema: JsonSchema, pool: FuzzPool): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 300;
  switch (schema.format) {
    case "uuid":
      return fc.oneof(fc.constantFrom(...pool.ids), fc.uuid(), fc.constant(uuidLike));
    case "email":
      return fc.oneof(fc.constantFrom(...pool.emails), fc.emailAddress());
    case "date":
      return fc.oneof(saneDate.map(day), fc.constantFrom("1970-01-01", "9999-12-31", "2024-02-29"));
    case "date-time":
      return fc.oneof(
        saneDate.map((d) => d.toISOString()),
        fc.constant("9999-12-31T23:59:59.999Z"),
      );
    case "uri":
      // Never a host that answers: the fuzz test must not reach out to the network.
      return fc.constantFrom("https://provider.invalid/v1", "http://127.0.0.1:1/v1", "https://[::1]/");
  }
  if (schema.pattern)
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= maxLength);
  return fc.oneof(
    fc.string({ minLength, maxLength: Math.min(maxLength, 300), unit: "grapheme" }),
    // Exactly at the limits.
    fc.constantFrom("x".repeat(minLength), "y".repeat(Math.min(maxLength, 200_000))),
  );
}

function numberArbitrary(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1e9);
  const max = schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1e9);
  const edges = fc.constantFrom(min, max);
  return integer
    ? fc.oneof(fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31) }), edges)
    : fc.oneof(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), edges);
}

/**
 * A value the schema describes (its refinements aside), as a correct client would send it; with `hostile`, any
 * part of it may be a hostile value instead (one in five at every level).
 */
function derived(schema: JsonSchema, pool: FuzzPool, hostile: boolean): fc.Arbitrary<unknown> {
  const valid = validValue(schema, pool, hostile);
  return hostile ? fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: hostileValue, weight: 1 }) : valid;
}

function validValue(schema: JsonSchema, pool: FuzzPool, hostile: boolean): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => derived(choice, pool, hostile)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const properties = schema.properties ?? {};
      const shape = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, derived(value, pool, hostile)]),
      );
      return fc.record(shape, { requiredKeys: schema.required ?? [] });
    }
    case "array":
      return fc.array(derived(schema.items ?? {}, pool, hostile), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 60),
      });
    case "string":
      return stringArbitrary(schema, pool);
    case "integer":
      return numberArbitrary(schema, true);
    case "number":
      return numberArbitrary(schema, false);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      // No JSON Schema (z.coerce.date, transforms): dates, and anything when hostile.
      return hostile
        ? fc.oneof(
            saneDate.map((d) => d.toISOString()),
            saneDate.map(day),
            hostileValue,
          )
        : fc.oneof(
            saneDate.map((d) => d.toISOString()),
            saneDate.map(day),
          );
  }
}

/** Inputs for a procedure whose input schema is `schema` (undefined: it takes none). */
export function procedureInput(schema: z.ZodType | undefined, pool: FuzzPool): fc.Arbitrary<unknown> {
  if (!schema) return fc.oneof(fc.constant(undefined), hostileValue);
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return fc.oneof(
    { arbitrary: derived(json, pool, false), weight: 5 },
    { arbitrary: derived(json, pool, true), weight: 4 },
    { arbitrary: hostileValue, weight: 1 },
    { arbitrary: fc.constant(undefined), weight: 1 },
  );
}

/** A URL path under `/files/` or `/widget/`: real-looking names, percent-encodings good and broken, traversal. */
export const hostilePath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "%ZZ",
    "%E0%A4%A",
    "%00",
    "%2e%2e/%2e%2e/etc/passwd",
    "..%2F..%2Fpackage.json",
    "tenants/x/avatars/y.glb",
    "avatar-chat.js",
    "a".repeat(5000),
    "%F0%9F%98%80.js",
    "%ED%A0%80",
  ),
  fc.string({ unit: "binary", maxLength: 60 }).map((s) => encodeURIComponent(s)),
  fc.stringMatching(/^[A-Za-z0-9%./_-]{0,80}$/),
);
