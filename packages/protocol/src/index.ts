export * from "./channels";
export * from "./events";
export * from "./forget-channels";
export * from "./messages";
export * from "./publish";
export * from "./redis-script";
export * from "./visitor-token";
export * from "./voice";
