import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@avatar-chat/db/testing";
import { type RunningPlatform, readPlatformEnv, startPlatform } from "@avatar-chat/platform";
import { deleteKeysAt } from "@avatar-chat/protocol/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildDashboard, buildWidgetBundle, dashboardDist, launchChromium, screenshotDir } from "./browser";

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// Issue 7's "done means": the whole platform (api, worker, realtime, the built dashboard and widget) in
// one process, a tenant's site on another origin, and two browser tabs: the tenant and a visitor.
// On both backends: the embedded default (PGlite, one connection, no DATABASE_URL) is the front door,
// and "Talk to a person" once froze it.
describe.each(["postgres", "pglite"] as const)("the tenant journey, end to end (%s)", (backend) => {
  let platform: RunningPlatform;
  let database: TestDatabase | undefined;
  let dataDir: string;
  let url: string;
  let site: http.Server;
  let siteUrl: string;
  let snippet = "";
  let browser: Browser;
  let dashboard: Page;
  let visitor: Page;
  const prefix = `dj${randomBytes(4).toString("hex")}:`;
  // One set of screenshots (the PostgreSQL run's) goes to the docs.
  const shot = async (page: Page, name: string) => {
    if (backend === "postgres")
      await page.screenshot({ path: path.join(screenshotDir, `dashboard-${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    await Promise.all([buildDashboard(dashboardDist), buildWidgetBundle()]);
    if (backend === "postgres") database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "dashboard-journey-"));
    const port = await freePort();
    url = `http://localhost:${port}`;
    platform = await startPlatform(
      readPlatformEnv({
        ...(database?.url ? { DATABASE_URL: database.url } : {}),
        DATA_DIR: dataDir,
        API_PORT: String(port),
        PUBLIC_URL: url,
        REDIS_PREFIX: prefix,
        LOG_LEVEL: "error",
      }),
    );
    // The tenant's own site: another origin that only has the pasted snippet.
    site = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html lang="en"><head><title>Shop</title></head><body><h1>Our shop</h1>${snippet}</body></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as net.AddressInfo).port}`;
    browser = await launchChromium();
    dashboard = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    visitor = await (await browser.newContext()).newPage();
    // A failing step is hard to read from a timeout alone: the pages' errors go to the test output.
    for (const [name, page] of [
      ["dashboard", dashboard],
      ["visitor", visitor],
    ] as const) {
      page.on("console", (m) => m.type() === "error" && console.warn(`[${name}] console: ${m.text()}`));
      page.on("pageerror", (e) => console.warn(`[${name}] page error: ${e.message}`));
      page.on("requestfailed", (r) =>
        console.warn(`[${name}] request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText}`),
      );
    }
  });

  afterEach(async (context) => {
    if (context.task.result?.state !== "fail") return;
    const name = context.task.name.slice(0, 30).replace(/\W+/g, "-");
    await dashboard.screenshot({
      path: path.join(os.tmpdir(), `journey-${name}-dashboard.png`),
      fullPage: true,
    });
    await visitor.screenshot({ path: path.join(os.tmpdir(), `journey-${name}-visitor.png`), fullPage: true });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await platform?.close();
    await database?.drop();
    await deleteKeysAt("redis://127.0.0.1:6379", prefix);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("signs up and creates a published chatbot allowed on the shop's origin", async () => {
    await dashboard.goto(`${url}/sign-up`);
    await dashboard.getByLabel("Your name").fill("Grace");
    await dashboard.getByLabel("Email").fill("grace@example.com");
    await dashboard.getByLabel("Password").fill("correct horse battery");
    await dashboard.getByLabel("Workspace name").fill("Grace's Shop");
    await dashboard.getByRole("button", { name: "Create account" }).click();
    await dashboard.getByRole("button", { name: /Customer support/ }).click();
    await dashboard.getByRole("button", { name: "Create chatbot" }).click();
    await dashboard.getByLabel("Your site's address").fill(siteUrl);
    await dashboard.getByRole("button", { name: "Publish and get the snippet" }).click();
    snippet = (await dashboard.getByTestId("embed-snippet").textContent()) ?? "";
    expect(snippet).toContain(`${url}/widget/avatar-chat.js`);
  });

  it("uploads a document and watches it index live", async () => {
    await dashboard.getByRole("link", { name: "add knowledge" }).click();
    // A presigned PUT straight from the browser to the (embedded) S3 server, then indexing by the worker.
    await dashboard.getByLabel("Upload files").setInputFiles({
      name: "delivery-times.md",
      mimeType: "text/markdown",
      buffer: Buffer.from(
        "# Delivery times\n\nDelivery to Norway takes 3 working days. Delivery to Sweden takes 2 working days.\n",
      ),
    });
    const row = dashboard.getByTestId("knowledge-source").filter({ hasText: "delivery-times" });
    await row.getByText("ready").waitFor({ timeout: 60_000 });
    await shot(dashboard, "knowledge");
  });

  it("chats with the widget on the shop's site and the conversation arrives live in the inbox", async () => {
    await dashboard.getByRole("link", { name: "Inbox" }).click();
    await dashboard.getByText("No conversations match.").waitFor();
    await visitor.goto(siteUrl);
    await visitor.getByRole("button", { name: "Open chat" }).click();
    await visitor.getByText(/I can answer questions/).waitFor({ timeout: 30_000 });
    await visitor.getByLabel("Your message").fill("How long does delivery to Norway take?");
    await visitor.getByRole("button", { name: "Send", exact: true }).click();
    await visitor
      .getByText(/3 working days/)
      .first()
      .waitFor({ timeout: 60_000 });
    const row = dashboard.getByTestId("inbox-row").first();
    await row.waitFor({ timeout: 30_000 });
    await row.getByRole("link").click();
    await dashboard.getByTestId("message-user").getByText("How long does delivery to Norway take?").waitFor();
    await shot(dashboard, "inbox");
  });

  it("lets the visitor ask for a person; the inbox marks the row and filters for it", async () => {
    const ask = visitor.getByRole("button", { name: "Talk to a person" });
    await ask.click();
    // Shown in the transcript and announced once through the live region.
    await visitor
      .getByRole("log")
      .getByText(/You asked to talk to a person/)
      .waitFor({ timeout: 30_000 });
    await visitor
      .getByText(/A person will join soon/)
      .first()
      .waitFor();
    await ask.waitFor({ state: "hidden" });
    const row = dashboard.getByTestId("inbox-row").first();
    await row.getByText("waiting for a human").waitFor({ timeout: 30_000 });
    expect(await row.getAttribute("class")).toContain("waiting-for-human");
    await dashboard.getByLabel("Handled by").selectOption("requested");
    await expect.poll(() => dashboard.getByTestId("inbox-row").count()).toBe(1);
    await dashboard.getByText(/The visitor asked for a person/).waitFor();
    await dashboard.getByTestId("message-system").waitFor();
  });

  it("takes over, replies as a human, and the visitor sees the reply", async () => {
    await dashboard.getByRole("button", { name: "Take over" }).click();
    await dashboard.getByRole("button", { name: "Hand back to the bot" }).waitFor();
    await dashboard.getByLabel("Reply as a human").fill("Hi, Grace here. Anything else?");
    await dashboard.getByRole("button", { name: "Send reply" }).click();
    await visitor.getByText("Hi, Grace here. Anything else?").first().waitFor({ timeout: 30_000 });
    await dashboard.getByTestId("message-agent").first().waitFor();
  });

  it("asks for a person from the editor's live preview too, and the platform keeps answering", async () => {
    await dashboard.getByRole("link", { name: "Chatbots" }).click();
    await dashboard.getByRole("link", { name: "Support assistant" }).click();
    const preview = dashboard.locator("avatar-chat");
    await dashboard.waitForSelector("avatar-chat[data-state='ready']", {
      state: "attached",
      timeout: 60_000,
    });
    await preview.getByRole("button", { name: "Talk to a person" }).click();
    await preview
      .getByText(/You asked to talk to a person/)
      .first()
      .waitFor({ timeout: 30_000 });
    // The database is still answering: the inbox lists the preview's conversation as waiting (the list the
    // inbox showed a few seconds ago, before this request, is not what it shows now).
    await dashboard.getByRole("link", { name: "Inbox" }).click();
    await dashboard.getByLabel("Handled by").selectOption("requested");
    await expect.poll(() => dashboard.getByTestId("inbox-row").count(), { timeout: 30_000 }).toBe(1);
  });

  it("shows the conversation in analytics once the roll-up ran", async () => {
    await dashboard.getByRole("link", { name: "Analytics" }).click();
    const conversations = dashboard.getByTestId("analytics-summary").locator(".stat").first();
    // The worker folds usage into the daily roll-up on a schedule; reload until it has.
    await expect
      .poll(
        async () => {
          await dashboard.reload();
          return (await conversations.locator(".stat-value").textContent({ timeout: 10_000 })) ?? "0";
        },
        { timeout: 180_000, interval: 5_000 },
      )
      .not.toBe("0");
    await shot(dashboard, "analytics");
  }, 200_000);

  it("creates an API key that is shown once", async () => {
    await dashboard.getByRole("link", { name: "Settings" }).click();
    await dashboard.getByRole("link", { name: "API keys" }).click();
    await dashboard.getByLabel("Name").fill("CRM sync");
    await dashboard.getByRole("button", { name: "Create key" }).click();
    expect(await dashboard.getByTestId("new-api-key").textContent()).toMatch(/^ack_/);
    await dashboard.getByRole("cell", { name: "CRM sync" }).waitFor();
    await shot(dashboard, "settings");
    await dashboard.getByRole("button", { name: "I saved it" }).click();
    expect(await dashboard.getByTestId("new-api-key").count()).toBe(0);
  });

  it("sets the workspace to delete conversations 30 days after their last message", async () => {
    await dashboard.getByRole("link", { name: "Data retention" }).click();
    await dashboard.getByText("Conversations are kept until a chatbot is deleted.").waitFor();
    await dashboard.getByLabel("Delete conversations automatically").check();
    const days = dashboard.getByLabel("Days after the last message");
    await days.fill("0");
    await dashboard.getByRole("button", { name: "Save" }).click();
    await dashboard.getByText("Use a number of at least 1.").waitFor();
    await days.fill("30");
    await dashboard.getByRole("button", { name: "Save" }).click();
    await dashboard.getByText("Conversations are deleted 30 days after their last message.").waitFor();
    await dashboard.getByText("Saved.").waitFor();
  });

  it("sends the open dashboard to sign-in when the user signs out everywhere on another device", async () => {
    await dashboard.getByRole("link", { name: "Inbox" }).click();
    await dashboard.getByText("● live").waitFor();
    const otherDevice = await browser.newContext();
    const other = await otherDevice.newPage();
    await other.goto(`${url}/settings/sessions`);
    await other.getByLabel("Email").fill("grace@example.com");
    await other.getByLabel("Password").fill("correct horse battery");
    await other.getByRole("button", { name: "Sign in" }).click();
    await other.getByRole("button", { name: "Sign out everywhere" }).click();
    // The api announces the change, realtime closes this tab's socket (4001), and the tab asks who it is.
    await dashboard.getByText("Your session ended. Please sign in again.").waitFor();
    await otherDevice.close();
  });
});
