import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestPlatform, type TestPlatform } from "@avatar-chat/api/testing";
import { signedInUser } from "@avatar-chat/api/testing-users";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// An integrator's view of the package: built, packed, installed with plain npm into a project outside the
// workspace, type-checked by that project's own tsc and run by node against a running platform.
// Children run asynchronously: the platform under test lives in this process and must keep answering.
const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const TYPESCRIPT = "5.9.3"; // the workspace's version

const program = (field: string) => `import { createClient } from "@avatar-chat/client";

export async function chatbotNames(url: string, apiKey: string): Promise<string[]> {
  const api = createClient({ url, apiKey });
  const bots = await api.chatbot.list.query();
  return bots.map((bot) => bot.${field});
}
`;

async function typecheck(project: string) {
  return run("npx", ["tsc", "-p", "."], { cwd: project }).then(
    () => ({ ok: true, output: "" }),
    (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
  );
}

describe("@avatar-chat/client installed from its tarball", () => {
  let work: string;
  let project: string;
  let platform: TestPlatform;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "avatar-chat-client-"));
    project = join(work, "integrator");
    await run("pnpm", ["run", "build"], { cwd: packageDir });
    await run("pnpm", ["pack", "--pack-destination", work], { cwd: packageDir });
    const tarball = (await readdir(work)).find((name) => name.endsWith(".tgz"));
    await run("mkdir", [project]);
    await writeFile(
      join(project, "package.json"),
      JSON.stringify({ name: "integrator", private: true, type: "module" }),
    );
    await writeFile(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "nodenext",
          target: "es2023",
          lib: ["esnext", "dom"],
          outDir: "out",
        },
        include: ["main.ts"],
      }),
    );
    await run(
      "npm",
      ["install", "--no-audit", "--no-fund", join(work, tarball!), `typescript@${TYPESCRIPT}`],
      {
        cwd: project,
      },
    );
    platform = await createTestPlatform();
  }, 180_000);

  afterAll(async () => {
    await platform?.close();
    await rm(work, { recursive: true, force: true });
  });

  it("type-checks with the integrator's tsc, refuses a misspelt field and lists real chatbots", async () => {
    await writeFile(join(project, "main.ts"), program("nmae"));
    const misspelt = await typecheck(project);
    expect(misspelt.ok).toBe(false);
    expect(misspelt.output).toMatch(/main\.ts.*Property 'nmae' does not exist/);

    await writeFile(join(project, "main.ts"), program("name"));
    expect(await typecheck(project)).toEqual({ ok: true, output: "" });

    const owner = await signedInUser(platform, "client-package@example.test");
    await owner.browser.chatbot.create.mutate({ name: "Packed assistant" });
    const { key } = await owner.browser.apiKey.create.mutate({ name: "packed", scopes: ["read"] });
    await writeFile(
      join(project, "run.js"),
      `import { chatbotNames } from "./out/main.js";\nconsole.log(JSON.stringify(await chatbotNames(process.argv[2], process.argv[3])));\n`,
    );
    const { stdout } = await run("node", ["run.js", platform.url, key], { cwd: project });
    expect(JSON.parse(stdout)).toEqual(["Packed assistant"]);
  });
});
