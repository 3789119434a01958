export { type PlatformEnv, platformEnv, readPlatformEnv } from "./config";
export { type RunningPlatform, startPlatform } from "./start-platform";
