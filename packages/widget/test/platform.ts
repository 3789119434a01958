import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { readPlatformEnv, startPlatform as start } from "@avatar-chat/platform";
import { Redis } from "ioredis";
import type { Browser } from "playwright-core";
import { buildWidget, freePort, launchChromium, type Page, type StaticServer, serveStatic } from "./harness";

export interface RunningPlatform {
  url: string;
  close(): Promise<void>;
}

/**
 * The real all-in-one platform (what `pnpm start` runs: api + worker + realtime, embedded PGlite
 * and S3, the local Redis) in this process, on a free port, with its own data directory and a
 * random Redis key prefix that is deleted afterwards. `env`: more of its variables
 * (`AI_ALLOWED_PRIVATE_HOSTS` for a local AI test server).
 */
export async function startPlatform(env: Record<string, string> = {}): Promise<RunningPlatform> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "avatar-chat-platform-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const prefix = `widget-e2e-${Math.random().toString(36).slice(2, 10)}:`;
  const platform = await start(
    readPlatformEnv({
      DATA_DIR: dataDir,
      API_PORT: String(port),
      PUBLIC_URL: url,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: "error",
      ...env,
    }),
  );
  return {
    url,
    async close() {
      await platform.close();
      const redis = new Redis("redis://127.0.0.1:6379");
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A dashboard call with a session cookie, as the dashboard SPA makes it (`.list` and `.get` queries as GET). */
export async function dashboardCall(platform: RunningPlatform, name: string, input: unknown, cookie: string) {
  const query = /\.(list|get)$/.test(name);
  const url = `${platform.url}/trpc/${name}${query ? `?input=${encodeURIComponent(JSON.stringify(input))}` : ""}`;
  const response = await fetch(url, {
    method: query ? "GET" : "POST",
    headers: { "content-type": "application/json", origin: platform.url, cookie },
    ...(query ? {} : { body: JSON.stringify(input) }),
  });
  const body = (await response.json()) as { result?: { data: unknown }; error?: { message: string } };
  if (!body.result) throw new Error(`${name}: ${body.error?.message ?? response.status}`);
  return { data: body.result.data, response };
}

/** A new workspace owner named `name`, signed up through the api; returns the session cookie. */
export async function signUpOwner(platform: RunningPlatform, name: string): Promise<string> {
  const slug = name.toLowerCase().replace(/\W+/g, "-");
  const signUp = await dashboardCall(
    platform,
    "auth.signUp",
    {
      email: `${slug}-${Math.random().toString(36).slice(2, 10)}@example.com`,
      password: "a long enough test password 42",
      name,
      workspaceName: `${name} Co`,
    },
    "",
  );
  return signUp.response.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

/** Knowledge the voice tests ask about: answers of two or three sentences. */
export const VOICE_KNOWLEDGE = `# Opening hours
The Acme store opens at nine in the morning on weekdays. On Saturdays it opens at ten and closes at four. On Sundays the store is closed all day.`;

/** A published chatbot "Ava" allowed on `allowedOrigin`, its `knowledge` indexed (the offline voice is the default). */
export async function createAnsweringChatbot(
  platform: RunningPlatform,
  cookie: string,
  options: { allowedOrigin: string; knowledge: string },
): Promise<{ id: string; publicKey: string }> {
  const call = (name: string, input: unknown) => dashboardCall(platform, name, input, cookie);
  const created = await call("chatbot.create", {
    name: "Ava",
    greeting: "Hi, I am Ava.",
    allowedOrigins: [options.allowedOrigin],
  });
  const chatbot = created.data as { id: string; publicKey: string };
  await call("chatbot.publish", { chatbotId: chatbot.id });
  await call("knowledge.addText", { chatbotId: chatbot.id, title: "Knowledge", text: options.knowledge });
  for (let tries = 0; ; tries++) {
    const sources = await call("knowledge.list", { chatbotId: chatbot.id });
    if (JSON.stringify(sources.data).includes('"ready"')) return chatbot;
    if (tries > 600) throw new Error("the knowledge was not indexed");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface EmbeddedSite {
  platform: RunningPlatform;
  /** The tenant's site: its own origin, serving `pages` by path. */
  site: StaticServer;
  browser: Browser;
  /** What the site serves by path; a test adds its embed pages once its chatbot exists. */
  pages: Record<string, Page>;
  close(): Promise<void>;
}

/**
 * The browser tests' stage: the widget built into the package's dist (the platform serves it at /widget/,
 * as in production), the real platform (`platformEnv`: more of its variables), a tenant's site on another
 * origin whose strict CSP allows only the platform (`imageSources`: an img-src for it), and Debian's
 * Chromium with `chromiumArgs`.
 */
export async function startEmbeddedSite(
  options: {
    platformEnv?: Record<string, string>;
    pages?: Record<string, Page>;
    imageSources?: string;
    chromiumArgs?: string[];
  } = {},
): Promise<EmbeddedSite> {
  const [bundle, platform] = await Promise.all([
    buildWidget({ outDir: path.resolve(import.meta.dirname, "../dist") }),
    startPlatform(options.platformEnv),
  ]);
  const pages: Record<string, Page> = {
    "/favicon.ico": { body: "", type: "image/x-icon" },
    ...options.pages,
  };
  const api = new URL(platform.url);
  const img = options.imageSources ? ` img-src ${options.imageSources};` : "";
  let site: StaticServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await site?.close();
    await platform.close();
    await bundle.remove();
  };
  try {
    site = await serveStatic({
      dir: bundle.dir,
      csp: `default-src 'self'; script-src 'self' ${api.origin}; style-src 'self';${img} connect-src 'self' ${api.origin} ws://${api.host}`,
      pages,
    });
    browser = await launchChromium(options.chromiumArgs);
    return { platform, site, browser, pages, close };
  } catch (error) {
    await close();
    throw error;
  }
}
