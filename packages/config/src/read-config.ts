import type { z } from "zod";

/** Raised when the environment does not satisfy a service's config schema; the message names every bad variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment once, at start-up, so a bad variable stops the process with a readable message. */
export function readConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const variable = issue.path.join(".") || "(environment)";
    const given = env[variable];
    return given === undefined || given === ""
      ? `  ${variable}: ${issue.message} (not set)`
      : `  ${variable}: ${issue.message}`;
  });
  throw new ConfigError(
    `Invalid configuration:\n${problems.join("\n")}\nSee .env.example for every variable.`,
  );
}
