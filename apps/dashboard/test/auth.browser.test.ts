import { rm } from "node:fs/promises";
import path from "node:path";
import { createTestPlatform, type TestPlatform } from "@avatar-chat/api/testing";
import { signedInUser } from "@avatar-chat/api/testing-users";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, launchChromium, screenshotDir } from "./browser";
import { type StaticServer, startStaticServer } from "./static-server";

describe("dashboard in Chromium against the real api", () => {
  let dist: string;
  let site: StaticServer;
  let platform: TestPlatform;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dist = await buildDashboard();
    site = await startStaticServer(dist);
    // The built dashboard is served from its own origin; the api helpers in tests use the default one.
    platform = await createTestPlatform({ dashboardOrigins: [site.origin, "http://dashboard.test"] });
    site.setApi(platform.url);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  });

  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await platform?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
  });

  it("sends a visitor without a session to sign-in, keeping where they wanted to go", async () => {
    await page.goto(`${site.url}/inbox`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe("/inbox");
    await page.screenshot({ path: path.join(screenshotDir, "dashboard-sign-in.png") });
  });

  it("validates the sign-up form with the api's rules before sending it", async () => {
    await page.goto(`${site.url}/sign-up`);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Enter a valid email address.").waitFor();
    await page.getByText("Use at least 10 characters.").waitFor();
  });

  it("signs up and lands on onboarding", async () => {
    await page.goto(`${site.url}/sign-up`);
    await page.getByLabel("Your name").fill("Ada");
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByLabel("Workspace name").fill("Ada's Shop");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/onboarding/);
    await page.getByText("Ada's Shop").first().waitFor();
  });

  it("creates a first chatbot from a template, publishes it and shows the embed snippet", async () => {
    await page.screenshot({ path: path.join(screenshotDir, "dashboard-onboarding.png") });
    await page.getByRole("button", { name: /Customer support/ }).click();
    await page.getByLabel("Chatbot name").fill("Shop helper");
    await page.getByRole("button", { name: "Create chatbot" }).click();
    await page.getByLabel("Your site's address").fill("not a url");
    await page.getByRole("button", { name: "Publish and get the snippet" }).click();
    await page.getByText("Enter an origin like https://www.example.com").waitFor();
    await page.getByLabel("Your site's address").fill("https://shop.example.com");
    await page.getByRole("button", { name: "Publish and get the snippet" }).click();
    const snippet = await page.getByTestId("embed-snippet").textContent();
    expect(snippet).toMatch(/<avatar-chat bot="pk_[a-z0-9]+"><\/avatar-chat>/);
    const [chatbot] = await platform.database.kysely.selectFrom("chatbots").selectAll().execute();
    expect(chatbot).toMatchObject({
      name: "Shop helper",
      published: true,
      allowed_origins: ["https://shop.example.com"],
    });
  });

  it("lists the chatbot and edits its settings with the api's validation", async () => {
    await page.getByRole("link", { name: "Chatbots" }).click();
    await page.getByRole("link", { name: "Shop helper" }).click();
    // Level 1: the editor's title, not the live preview's panel heading of the same name.
    await page.getByRole("heading", { name: "Shop helper", level: 1 }).waitFor();
    await page.getByLabel("Allowed origins").fill("https://shop.example.com\nftp://nope");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Enter an origin like https://www.example.com").waitFor();
    await page.getByLabel("Allowed origins").fill("https://shop.example.com\nhttps://www.example.org");
    await page.getByLabel("Greeting").fill("Welcome to the shop!");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    const row = await platform.database.kysely.selectFrom("chatbots").selectAll().executeTakeFirstOrThrow();
    expect(row.greeting).toBe("Welcome to the shop!");
    expect(row.allowed_origins).toEqual(["https://shop.example.com", "https://www.example.org"]);
    await page.screenshot({ path: path.join(screenshotDir, "dashboard-chatbot.png"), fullPage: true });
    // Tablet width: the navigation folds into a row above the content, and stays usable.
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).isVisible(),
    ).toBe(true);
    await page.screenshot({ path: path.join(screenshotDir, "dashboard-tablet.png") });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("signs out and back in, and returns to the page asked for", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await page.goto(`${site.url}/settings/sessions`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Wrong email or password.").waitFor();
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/settings\/sessions/);
  });

  it("turns the member's own human-request emails off in Settings → Notifications", async () => {
    await page
      .getByRole("navigation", { name: "Settings" })
      .getByRole("link", { name: "Notifications" })
      .click();
    const box = page.getByLabel("Email me when a visitor asks to talk to a person");
    await expect.poll(() => box.isChecked()).toBe(true); // an owner's default
    await box.uncheck();
    await page.getByText("Saved.").waitFor();
    const stored = await platform.database.kysely
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select("memberships.notify_human_requests")
      .where("users.email", "=", "ada@example.com")
      .executeTakeFirstOrThrow();
    expect(stored.notify_human_requests).toBe(false);
    await page.reload();
    await expect.poll(() => box.isChecked()).toBe(false);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Sessions" }).click();
  });

  it("sends a session that expires while the app is open to sign-in with a message", async () => {
    await page.getByRole("heading", { name: "Sessions" }).waitFor();
    await platform.database.kysely
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    await page.getByRole("link", { name: "Members" }).click();
    await page.getByText("Your session ended. Please sign in again.").waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe("/settings/members");
  });

  it("accepts an emailed invitation after signing in, and joins that workspace", async () => {
    const owner = await signedInUser(platform, "grace@example.test");
    await owner.browser.tenant.invite.mutate({ email: "ada@example.com", role: "member" });
    const mail = await platform.database.kysely
      .selectFrom("email_outbox")
      .select("text_body")
      .where("to_address", "=", "ada@example.com")
      .executeTakeFirstOrThrow();
    const token = mail.text_body.match(/accept-invite\?token=([\w-]+)/)?.[1];
    expect(token).toBeTruthy();
    await page.goto(`${site.url}/accept-invite?token=${token}`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Email").fill("ada@example.com");
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/\/chatbots/);
    const joined = await platform.database.kysely
      .selectFrom("memberships")
      .innerJoin("users", "users.id", "memberships.user_id")
      .select("memberships.role")
      .where("users.email", "=", "ada@example.com")
      .where("memberships.tenant_id", "=", owner.tenantId)
      .executeTakeFirst();
    expect(joined?.role).toBe("member");
  });
});
