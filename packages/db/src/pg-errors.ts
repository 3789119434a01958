/**
 * PostgreSQL refused a row that a unique index already holds (SQLSTATE 23505), e.g. a lost race; with
 * `index`, only a clash on that index.
 */
export function isUniqueViolation(error: unknown, index?: string): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { code, constraint } = error as { code?: unknown; constraint?: unknown };
  return code === "23505" && (index === undefined || constraint === index);
}
