// Types only from protocol: its index also holds Node-only code (visitor-token signing).
import type { ChannelName, Envelope, EventOf, RealtimeEventType } from "@avatar-chat/protocol";
import {
  type ConnectionStatus,
  createRealtimeClient,
  type RealtimeClient,
} from "@avatar-chat/realtime/client";
import { useEffect, useRef, useState } from "react";
import { queryClient, trpc } from "../trpc";

/** The socket URL on this origin; the session cookie authenticates it (the dev server proxies /realtime). */
export function realtimeSocketUrl(location: { protocol: string; host: string }): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/realtime`;
}

let client: RealtimeClient | null = null;
const statusListeners = new Set<(status: ConnectionStatus) => void>();
let lastStatus: ConnectionStatus = "connecting";

// One socket for the whole app, opened on first use: screens without live data never connect.
function sharedClient(): RealtimeClient {
  client ??= createRealtimeClient({
    url: realtimeSocketUrl(window.location),
    onStatus(status) {
      lastStatus = status;
      for (const listener of statusListeners) listener(status);
      // The server closed the socket because the session ended or lost this workspace (4001): asking who
      // we are again sends an ended session to the sign-in page (UnauthorizedRedirect); otherwise the next
      // subscriber opens a new socket with the current cookie.
      if (status === "expired") {
        closeRealtime();
        void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
      }
    },
  });
  return client;
}

/** Closes the socket (sign-out, workspace switch): the next subscriber opens a new one with the new cookie. */
export function closeRealtime(): void {
  client?.close();
  client = null;
}

/** Calls `onEvent` for each event of type `type` on the tenant channel while the component is mounted. */
export function useTenantEvent<T extends RealtimeEventType>(
  tenantId: string,
  type: T,
  onEvent: (event: EventOf<T>) => void,
): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    const channel: ChannelName = `tenant:${tenantId}`;
    return sharedClient().subscribe(channel, (envelope: Envelope) => {
      if (envelope.event.type === type) handler.current(envelope.event as EventOf<T>);
    });
  }, [tenantId, type]);
}

/** Subscribes to one conversation's channel (transcript updates in the inbox). */
export function useConversationEvents(
  conversationId: string | undefined,
  onEnvelope: (envelope: Envelope) => void,
): void {
  const handler = useRef(onEnvelope);
  handler.current = onEnvelope;
  useEffect(() => {
    if (!conversationId) return;
    const channel: ChannelName = `conv:${conversationId}`;
    return sharedClient().subscribe(channel, (envelope) => handler.current(envelope));
  }, [conversationId]);
}

/** "connecting" | "open" | "closed" | "expired", for a small live indicator. */
export function useRealtimeStatus(): ConnectionStatus {
  const [status, setStatus] = useState(lastStatus);
  useEffect(() => {
    statusListeners.add(setStatus);
    return () => {
      statusListeners.delete(setStatus);
    };
  }, []);
  return status;
}
