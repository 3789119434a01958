import { defineAvatarChat as define } from "./element";
import { connectRealtime } from "./realtime";

// npm entry for bundlers: `import { defineAvatarChat } from "@avatar-chat/widget"; defineAvatarChat();`

export type * from "./api-types";
export type { WidgetEnvironment } from "./element";

/** Registers <avatar-chat> (or another tag name). Elements without an `api` attribute use `options.api`. */
export function defineAvatarChat(options: { api?: string; tagName?: string } = {}): void {
  define({ defaultApi: options.api ?? null, connectRealtime }, options.tagName);
}
