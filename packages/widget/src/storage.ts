// The visitor's token and current conversation, kept per chatbot key so a reload continues the chat.

export interface VisitorRecord {
  visitorToken: string | null;
  conversationId: string | null;
  expiresAt: string | null;
}

export interface VisitorStore {
  load(): VisitorRecord;
  save(record: VisitorRecord): void;
}

const empty: VisitorRecord = { visitorToken: null, conversationId: null, expiresAt: null };

/** Backed by localStorage when the page allows it (sandboxed iframes may throw), else memory only. */
export function createVisitorStore(publicKey: string, storage: () => Storage | null): VisitorStore {
  const key = `avatar-chat:${publicKey}`;
  let memory: VisitorRecord = empty;
  return {
    load() {
      try {
        const raw = storage()?.getItem(key);
        if (raw) {
          const parsed = JSON.parse(raw) as Partial<VisitorRecord>;
          memory = {
            visitorToken: typeof parsed.visitorToken === "string" ? parsed.visitorToken : null,
            conversationId: typeof parsed.conversationId === "string" ? parsed.conversationId : null,
            expiresAt: typeof parsed.expiresAt === "string" ? parsed.expiresAt : null,
          };
        }
      } catch {
        // Unreadable or blocked storage: keep what is in memory.
      }
      return memory;
    },
    save(record) {
      memory = record;
      try {
        storage()?.setItem(key, JSON.stringify(record));
      } catch {
        // Quota or privacy mode: the chat still works for this page view.
      }
    },
  };
}

export function browserStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether the floating chat was open in this tab, per chatbot key: a reload mid-conversation opens it again.
 * Session storage, so a new tab starts closed.
 */
export function createOpenMemory(publicKey: string, storage: () => Storage | null) {
  const key = `avatar-chat:${publicKey}:open`;
  return {
    wasOpen(): boolean {
      try {
        return storage()?.getItem(key) === "1";
      } catch {
        return false;
      }
    },
    remember(open: boolean) {
      try {
        if (open) storage()?.setItem(key, "1");
        else storage()?.removeItem(key);
      } catch {
        // Blocked storage: the chat opens closed after a reload, as before.
      }
    },
  };
}

export function browserSessionStorage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}
