import { rm } from "node:fs/promises";
import path from "node:path";
import { createTestPlatform, SESSION_CACHE_MS, type TestPlatform } from "@avatar-chat/api/testing";
import { signedInUser } from "@avatar-chat/api/testing-users";
import { seriousAxeViolations } from "@avatar-chat/widget/testing";
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

  /** Every screen checked with axe: serious and critical violations fail the test. */
  const expectAccessible = async () => expect(await seriousAxeViolations(page)).toEqual([]);

  it("sends a visitor without a session to sign-in, keeping where they wanted to go", async () => {
    const scripts: string[] = [];
    page.on("response", (response) => {
      if (response.request().resourceType() === "script") scripts.push(response.url());
    });
    await page.goto(`${site.url}/inbox`);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe("/inbox");
    await page.screenshot({ path: path.join(screenshotDir, "dashboard-sign-in.png") });
    await expectAccessible();
    // The sign-in page loads no form-validation code (the api's schemas and zod): it is the first page.
    page.removeAllListeners("response");
    const loaded = await Promise.all(scripts.map(async (url) => (await fetch(url)).text()));
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((code) => code.includes("ZodError"))).toEqual([]);
  });

  it("validates the sign-up form with the api's rules before sending it", async () => {
    await page.goto(`${site.url}/sign-up`);
    await page.getByLabel("Email").fill("not-an-email");
    await page.getByLabel("Password").fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.getByText("Enter a valid email address.").waitFor();
    await page.getByText("Use at least 10 characters.").waitFor();
    // Empty fields get the product's sentences, never zod's ("Too small: expected string to have >=1…").
    await page.getByText("Enter your name.").waitFor();
    await page.getByText("Name your workspace, for example your company's name.").waitFor();
    expect(await page.getByText(/Too small|expected string|Invalid input/).count()).toBe(0);
    await expectAccessible();
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
    await expectAccessible();
  });

  it("creates a first chatbot from a template, publishes it and shows the embed snippet", async () => {
    await page.screenshot({ path: path.join(screenshotDir, "dashboard-onboarding.png") });
    await page.getByRole("button", { name: /Customer support/ }).click();
    await page.getByLabel("Chatbot name").fill("Shop helper");
    await page.getByRole("button", { name: "Create chatbot" }).click();
    await page.getByLabel("Your site's address").waitFor();
    // Leaving and coming back resumes at the same step with the same chatbot: no restart, no second draft.
    await page.getByRole("link", { name: "Chatbots" }).click();
    await page.getByRole("heading", { name: "Chatbots", level: 1 }).waitFor();
    await page.goto(`${site.url}/onboarding`);
    await page.getByRole("heading", { name: "Where will Shop helper run?" }).waitFor();
    expect(await platform.database.kysely.selectFrom("chatbots").select("id").execute()).toHaveLength(1);
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
    // The live preview shows the greeting saved so far…
    const preview = page.locator("avatar-chat");
    await expect
      .poll(() => preview.locator(".message.assistant").first().textContent(), { timeout: 30_000 })
      .toContain("What can I help with?");
    await page.getByLabel("Greeting").fill("Welcome to the shop!");
    await page.getByLabel("Color").fill("#0f766e");
    await page.getByRole("button", { name: "Save changes" }).click();
    await page.getByText("Saved.").waitFor();
    // …and the saved one right after saving, without a reload.
    await expect
      .poll(() => preview.locator(".message.assistant").first().textContent(), { timeout: 30_000 })
      .toContain("Welcome to the shop!");
    expect(
      await preview
        .locator(".root")
        .evaluate((el) => (el as HTMLElement).style.getPropertyValue("--ac-primary")),
    ).toBe("#0f766e");
    // The editor and the preview inside it are two landmarks with two names.
    expect(await page.getByRole("region", { name: "Shop helper", exact: true }).count()).toBe(1);
    expect(await page.getByRole("region", { name: "Chat with Shop helper" }).count()).toBe(1);
    await expectAccessible();
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

  it("opens Knowledge and Avatar on the chatbot being worked on, not the first in the list", async () => {
    const shop = await platform.database.kysely
      .selectFrom("chatbots")
      .select("id")
      .where("name", "=", "Shop helper")
      .executeTakeFirstOrThrow();
    // A newer chatbot comes first in every list.
    const created = await page.evaluate(async () => {
      const response = await fetch("/trpc/chatbot.create", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: "Another bot" }),
      });
      return response.status;
    });
    expect(created).toBe(200);
    await page.goto(`${site.url}/chatbots/${shop.id}`);
    await page.getByRole("heading", { name: "Shop helper", level: 1 }).waitFor();
    const chosen = () =>
      page.getByLabel("Chatbot").evaluate((s) => (s as HTMLSelectElement).selectedOptions[0]?.text);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Knowledge" }).click();
    await page.getByRole("heading", { name: "Knowledge", level: 1 }).waitFor();
    await expect.poll(chosen).toBe("Shop helper");
    await expectAccessible();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Avatar" }).click();
    await page.getByRole("heading", { name: "Avatar and voice", level: 1 }).waitFor();
    await expect.poll(chosen).toBe("Shop helper");
    await expect.poll(() => new URL(page.url()).searchParams.get("bot")).toBe(shop.id);
    await expectAccessible();
  });

  it("shows the inbox readably: the visitor's label, badges, and a human's reply after the join notice", async () => {
    const shop = await platform.database.kysely
      .selectFrom("chatbots")
      .select("public_key")
      .where("name", "=", "Shop helper")
      .executeTakeFirstOrThrow();
    // A visitor writes through the widget's procedures.
    const call = async (procedure: string, input: unknown, token?: string) => {
      const response = await fetch(`${platform.url}/trpc/${procedure}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: "https://shop.example.com",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(input),
      });
      const body = (await response.json()) as { result?: { data: Record<string, string> } };
      if (!body.result) throw new Error(`${procedure}: ${JSON.stringify(body)}`);
      return body.result.data;
    };
    const { visitorToken } = await call("widget.start", { publicKey: shop.public_key });
    const { conversationId } = await call("conversation.start", {}, visitorToken);
    await call(
      "conversation.send",
      { conversationId, content: "Do you deliver on Sundays?", clientMessageId: "c1" },
      visitorToken,
    );
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Inbox" }).click();
    await page.getByTestId("inbox-row").first().getByRole("link").click();
    await page.getByText("Do you deliver on Sundays?").waitFor();
    await page.getByLabel("Reply as a human").fill("Yes, until 4 pm.");
    await page.getByRole("button", { name: "Send reply" }).click();
    await page.getByTestId("message-agent").waitFor();
    await page.getByRole("button", { name: "Hand back to the bot" }).waitFor();
    const log = page.getByRole("log", { name: "Transcript" });
    // Who joined comes before what they said.
    await expect
      .poll(() => log.locator(".bubble").evaluateAll((all) => all.map((b) => b.getAttribute("data-testid"))))
      .toEqual(["message-user", "message-system", "message-agent"]);
    expect(await page.getByTestId("message-system").textContent()).toContain("Ada has joined the chat.");
    await expectAccessible();
  });

  it("says analytics figures are rolled up, and keeps heading levels in order", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Analytics" }).click();
    await page.getByTestId("analytics-freshness").waitFor();
    expect(await page.getByTestId("analytics-freshness").textContent()).toContain("rolled up");
    const levels = await page
      .locator("main")
      .locator("h1, h2, h3, h4, h5, h6")
      .evaluateAll((headings) => headings.map((h) => Number(h.tagName.slice(1))));
    expect(levels[0]).toBe(1);
    for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
    await expectAccessible();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    await expectAccessible();
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
    // The page's own read must be done before the session ends, or it (not the click) redirects first.
    await page.getByText("this one").waitFor();
    await platform.database.kysely
      .updateTable("sessions")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .execute();
    // Ended in SQL, behind the api's back: the process serves the session it checked a moment ago from its
    // cache until that entry lapses (a sign-out or revocation through the api evicts it at once).
    await new Promise((resolve) => setTimeout(resolve, SESSION_CACHE_MS));
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
