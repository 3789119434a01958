import { UnrecoverableError } from "bullmq";
import type { z } from "zod";

/** A job payload that does not match its schema will never succeed: fail it without retries. */
export function parsePayload<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new UnrecoverableError(`invalid job payload: ${parsed.error.message}`);
  return parsed.data;
}
