import type { z } from "zod";

// zod's own texts ("Too small: expected string to have >=1 characters") are for developers. Every input
// schema without a message of its own gets one of these sentences instead: the api sets this as zod's
// global error map (trpc.ts), and the dashboard passes it when it validates a form (the same sentences
// before sending and after).

type Issue = Parameters<z.core.$ZodErrorMap>[0];

const plural = (n: number | bigint, one: string, many: string) => (Number(n) === 1 ? one : many);

function tooSmall(origin: string, minimum: number | bigint, inclusive: boolean | undefined): string {
  if (origin === "string")
    return Number(minimum) <= 1
      ? "Fill in this field."
      : `Use at least ${minimum} ${plural(minimum, "character", "characters")}.`;
  if (origin === "array" || origin === "set")
    return Number(minimum) <= 1 ? "Add at least one." : `Add at least ${minimum}.`;
  if (origin === "number" || origin === "int" || origin === "bigint")
    return inclusive === false ? `Use a number above ${minimum}.` : `Use a number of at least ${minimum}.`;
  return "This value is too small.";
}

function tooBig(origin: string, maximum: number | bigint, inclusive: boolean | undefined): string {
  if (origin === "string") return `Use at most ${maximum} ${plural(maximum, "character", "characters")}.`;
  if (origin === "array" || origin === "set") return `Use at most ${maximum}.`;
  if (origin === "number" || origin === "int" || origin === "bigint")
    return inclusive === false ? `Use a number below ${maximum}.` : `Use a number of at most ${maximum}.`;
  if (origin === "file") return "This file is too large.";
  return "This value is too large.";
}

const formats: Record<string, string> = {
  email: "Enter a valid email address.",
  url: "Enter a full address, like https://www.example.com.",
  uuid: "Choose one from the list.",
  guid: "Choose one from the list.",
  date: "Enter a date like 2026-01-31.",
  datetime: "Enter a date and time.",
};

/** The product's sentence for a zod issue whose schema gave no message of its own. */
export function inputError(issue: Issue): string {
  switch (issue.code) {
    case "too_small":
      return tooSmall(issue.origin, issue.minimum, issue.inclusive);
    case "too_big":
      return tooBig(issue.origin, issue.maximum, issue.inclusive);
    case "invalid_type":
      if (issue.input === undefined || issue.input === null || issue.input === "")
        return "Fill in this field.";
      if (issue.expected === "number" || issue.expected === "int") return "Enter a number.";
      if (issue.expected === "boolean") return "Choose yes or no.";
      return "This value is not valid.";
    case "invalid_format":
      return formats[issue.format] ?? "This value is not in the expected format.";
    case "invalid_value":
      return "Choose one of the options.";
    case "not_multiple_of":
      return `Use a multiple of ${issue.divisor}.`;
    case "unrecognized_keys":
      return `Remove what this form does not know: ${issue.keys.join(", ")}.`;
    default:
      return "This value is not valid.";
  }
}
