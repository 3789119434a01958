export * from "./channels";
export * from "./events";
export * from "./messages";
export * from "./publish";
export * from "./redis-script";
export * from "./visitor-token";
export * from "./voice";
