// Test helper: users and workspaces made straight in the database (sign-up is rate limited per IP),
// then signed in through the real procedure so the browser holds a real session cookie.
import type { Role } from "@avatar-chat/db";
import { hashPassword } from "./auth/password";
import type { TestPlatform } from "./testing";

export const TEST_PASSWORD = "correct horse battery";
let passwordHash: Promise<string> | undefined;

export interface TestUser {
  userId: string;
  tenantId: string;
  email: string;
  browser: ReturnType<TestPlatform["browser"]>;
}

/** A signed-in user: owner of a new workspace, or `role` in `tenantId`. */
export async function signedInUser(
  platform: TestPlatform,
  email: string,
  join?: { tenantId: string; role: Role },
): Promise<TestUser> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const db = platform.deps.db;
  const user = await db
    .insertInto("users")
    .values({ email, name: email.split("@")[0]!, password_hash: await passwordHash })
    .returning("id")
    .executeTakeFirstOrThrow();
  const tenantId =
    join?.tenantId ??
    (
      await db
        .insertInto("tenants")
        .values({ name: `${email}'s workspace`, slug: `ws-${user.id.slice(0, 8)}` })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;
  await db
    .insertInto("memberships")
    .values({ tenant_id: tenantId, user_id: user.id, role: join?.role ?? "owner" })
    .execute();
  const browser = platform.browser();
  await browser.auth.signIn.mutate({ email, password: TEST_PASSWORD });
  await browser.auth.switchTenant.mutate({ tenantId });
  return { userId: user.id, tenantId, email, browser };
}
