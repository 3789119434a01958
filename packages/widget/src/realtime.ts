import { createRealtimeClient } from "@avatar-chat/realtime/client";
import type { EventEnvelope } from "./api-types";
import type { RealtimeFactory } from "./element";

/** Connects the session to `@avatar-chat/realtime` (reconnects, resumes from the last id, dedupes). */
export const connectRealtime: RealtimeFactory = (options) => {
  const client = createRealtimeClient({
    url: options.url,
    onStatus: options.onStatus,
    onControl: (message) => {
      if (message.type === "gap") options.onGap();
    },
  });
  return {
    subscribe: (channel, listener, subscribeOptions) =>
      client.subscribe(channel, (envelope) => listener(envelope as EventEnvelope), subscribeOptions),
    close: () => client.close(),
  };
};
