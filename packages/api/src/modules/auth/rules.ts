import { z } from "zod";

export const emailSchema = z
  .email("Enter a valid email address.")
  .max(254)
  .transform((e) => e.trim().toLowerCase());

export const passwordSchema = z
  .string()
  .min(10, "Use at least 10 characters.")
  .max(200, "Use at most 200 characters.");

export const signUpInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  name: z.string().trim().min(1, "Enter your name.").max(80),
  workspaceName: z.string().trim().min(1, "Name your workspace, for example your company's name.").max(120),
});

export const signInInput = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password.").max(200),
});

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
});

/** A URL-safe slug from a workspace name, with a random suffix so names need not be unique. */
export function slugFrom(name: string, suffix: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${base || "workspace"}-${suffix}`;
}
