import type { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../root";
import { createTestPlatform, type TestPlatform } from "../../testing";

const password = "correct horse battery";

describe("auth", () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await createTestPlatform();
  });
  afterAll(() => platform.close());

  it("signs up into a new workspace and stays signed in", async () => {
    const browser = platform.browser();
    const { user, tenant } = await browser.auth.signUp.mutate({
      email: "Ada@Example.com",
      password,
      name: "Ada",
      workspaceName: "Ada's Shop",
    });
    expect(user.email).toBe("ada@example.com");
    const me = await browser.auth.me.query();
    expect(me.activeTenantId).toBe(tenant.id);
    expect(me.tenants).toEqual([expect.objectContaining({ id: tenant.id, role: "owner" })]);
    const stored = await platform.database.kysely.selectFrom("sessions").select("secret_hash").execute();
    expect(stored).toHaveLength(1);
  });

  it("refuses a second account with the same email", async () => {
    await expect(
      platform
        .browser()
        .auth.signUp.mutate({ email: "ada@example.com", password, name: "X", workspaceName: "X" }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" } });
  });

  it("lets only one of concurrent sign-ups for one address through, and tells the others why", async () => {
    const attempts = await Promise.allSettled(
      [1, 2, 3].map((n) =>
        platform
          .browser()
          .auth.signUp.mutate({ email: "race@example.com", password, name: `R${n}`, workspaceName: `R${n}` }),
      ),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    for (const attempt of attempts.filter((a) => a.status === "rejected"))
      expect(attempt.reason).toMatchObject({ data: { code: "CONFLICT" } });
  });

  it("refuses weak passwords and malformed emails with readable messages", async () => {
    const attempt = platform
      .browser()
      .auth.signUp.mutate({ email: "nope", password: "short", name: "", workspaceName: "W" });
    await expect(attempt).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    const error = await attempt.then(
      () => null,
      (e: TRPCClientError<AppRouter>) => e,
    );
    expect(JSON.stringify(error?.data)).toContain("Use at least 10 characters.");
    expect(error?.message).toContain("Use at least 10 characters.");
    expect(error?.message).not.toContain("{");
  });

  it("signs in, lists sessions, signs out everywhere", async () => {
    const laptop = platform.browser();
    const phone = platform.browser();
    await laptop.auth.signIn.mutate({ email: "ada@example.com", password });
    await phone.auth.signIn.mutate({ email: "ada@example.com", password });
    const sessions = await laptop.auth.sessions.query();
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    await laptop.auth.signOutEverywhere.mutate();
    await expect(phone.auth.me.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await expect(laptop.auth.me.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });

  it("refuses a wrong password the same way as an unknown email", async () => {
    // One at a time: a second request in flight would reject before anything awaits it.
    await expect(
      platform.browser().auth.signIn.mutate({ email: "ada@example.com", password: "wrong password!" }),
    ).rejects.toMatchObject({ message: "Wrong email or password." });
    await expect(
      platform.browser().auth.signIn.mutate({ email: "who@example.com", password }),
    ).rejects.toMatchObject({ message: "Wrong email or password." });
  });

  it("refuses cookie mutations from a foreign origin (CSRF)", async () => {
    await expect(
      platform
        .browser({ origin: "https://evil.example" })
        .auth.signIn.mutate({ email: "ada@example.com", password }),
    ).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  it("changes the password and ends the other sessions", async () => {
    const a = platform.browser();
    const b = platform.browser();
    await a.auth.signIn.mutate({ email: "ada@example.com", password });
    await b.auth.signIn.mutate({ email: "ada@example.com", password });
    await expect(
      a.auth.changePassword.mutate({ currentPassword: "nope", newPassword: "another long one" }),
    ).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
    });
    await a.auth.changePassword.mutate({ currentPassword: password, newPassword: "another long one" });
    await expect(b.auth.me.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    expect((await a.auth.me.query()).user.email).toBe("ada@example.com");
  });

  it("refuses an expired session", async () => {
    const browser = platform.browser();
    await browser.auth.signIn.mutate({ email: "ada@example.com", password: "another long one" });
    await platform.database.kysely
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    await expect(browser.auth.me.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });

  it("refuses oversized bodies with PAYLOAD_TOO_LARGE", async () => {
    const response = await fetch(`${platform.url}/trpc/auth.signIn`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: platform.origin },
      body: JSON.stringify({ email: "a@b.co", password: "x".repeat(2_000_000) }),
    });
    expect(response.status).toBe(413);
    const body = (await response.json()) as { error: { data: { code: string } } };
    expect(body.error.data.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
