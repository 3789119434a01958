import { ConfigError } from "@avatar-chat/config";
import { DirectoryInUseError } from "@avatar-chat/db/directory-lock";
import { readPlatformEnv } from "./config";
import { startPlatform } from "./start-platform";

// `pnpm start`: reads the environment, starts every configured role, stops cleanly on Ctrl-C/SIGTERM.
try {
  const platform = await startPlatform(readPlatformEnv());
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    const timer = setTimeout(() => process.exit(1), 30_000);
    await platform.close();
    clearTimeout(timer);
    process.exit(0);
  };
  // Listening before the banner says Ctrl-C works: a signal right after it must stop cleanly too.
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  console.log(
    ["", "Avatar Chat platform is running.", ...platform.banner.map((line) => `  ${line}`), ""].join("\n"),
  );
  if (platform.url)
    console.log(
      `Open ${platform.url}/ to sign up and create your first chatbot.\nCtrl-C stops everything.\n`,
    );
} catch (error) {
  // Errors the user fixes (a variable, a second start in one folder) need no stack trace.
  console.error(error instanceof ConfigError || error instanceof DirectoryInUseError ? error.message : error);
  process.exit(1);
}
