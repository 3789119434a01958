// The cross-tenant table: one entry per procedure of `appRouter` (security.test.ts fails on a missing
// or stale entry). Each attempt runs as someone of tenant B against tenant A's objects; tenant A's
// rows must be identical before and after every entry. Adding a procedure = adding its entry here.
import type { TestPlatform } from "./testing";

export type Client = ReturnType<TestPlatform["browser"]>;

/** Who of tenant B calls: its owner (session cookie), its API key (all scopes), its widget visitor (token). */
export type Attacker = "owner" | "apiKey" | "visitor";

/** Tenant A's objects, made through the real procedures by the test's setup. */
export interface Victim {
  tenantId: string;
  ownerUserId: string;
  memberUserId: string;
  sessionId: string;
  chatbotId: string;
  publicKey: string;
  sourceId: string;
  assetId: string;
  /** A widget conversation of A's visitor, and an API-channel one of A's key. */
  conversationId: string;
  apiConversationId: string;
  userMessageId: string;
  assistantMessageId: string;
  invitationId: string;
  invitationToken: string;
  apiKeyId: string;
}

export interface Attempt {
  as?: readonly Attacker[];
  /**
   * "refused": must fail with NOT_FOUND, FORBIDDEN or UNAUTHORIZED.
   * "ownTenant": names none of A's objects; may succeed on B's own data but must not reveal any of A's ids.
   */
  expect: "refused" | "ownTenant";
  call(client: Client, a: Victim): Promise<unknown>;
}

export type SecurityCase =
  | { attempts: readonly Attempt[] }
  /** Procedures outside any tenant: why they are exempt, and what is checked instead (if anything). */
  | { exempt: string; check?: (ctx: ExemptContext) => Promise<void> };

export interface ExemptContext {
  a: Victim;
  /** Tenant B's clients by attacker kind, plus an anonymous one from a foreign origin. */
  clients: Record<Attacker | "anonymous", Client>;
  /** B's own visitor token and chatbot public key. */
  b: { visitorToken: string; visitorId: string; publicKey: string };
}

const all: readonly Attacker[] = ["owner", "apiKey", "visitor"];
const refused = (call: Attempt["call"], as: readonly Attacker[] = all): SecurityCase => ({
  attempts: [{ expect: "refused", as, call }],
});
const ownTenant = (call: Attempt["call"], as: readonly Attacker[] = ["owner", "apiKey"]): Attempt => ({
  expect: "ownTenant",
  as,
  call,
});
/** Procedures that take no id: B sees only its own data, and a visitor is refused. */
const ownOnly = (call: Attempt["call"]): SecurityCase => ({
  attempts: [ownTenant(call), { expect: "refused", as: ["visitor"], call }],
});

export const securityCases: Record<string, SecurityCase> = {
  // auth: the caller's own account; the two that take an id must not reach A's.
  "auth.signUp": {
    exempt: "Creates a new user and tenant; takes no tenant's ids (covered by auth.test.ts).",
  },
  "auth.signIn": { exempt: "Public sign-in by email and password; rate limited (covered by auth.test.ts)." },
  "auth.me": {
    exempt: "The caller's own user and memberships.",
    check: async ({ clients, a }) => {
      const me = await clients.owner.auth.me.query();
      if (JSON.stringify(me).includes(a.tenantId)) throw new Error("auth.me lists tenant A to B's owner");
    },
  },
  "auth.switchTenant": refused((c, a) => c.auth.switchTenant.mutate({ tenantId: a.tenantId }), ["owner"]),
  "auth.signOut": { exempt: "Ends the caller's own session only (covered by auth.test.ts)." },
  "auth.signOutEverywhere": { exempt: "Ends the caller's own sessions only (covered by auth.test.ts)." },
  "auth.changePassword": { exempt: "Changes the caller's own password only (covered by auth.test.ts)." },
  "auth.sessions": {
    exempt: "The caller's own sessions.",
    check: async ({ clients, a }) => {
      const sessions = await clients.owner.auth.sessions.query();
      if (sessions.some((s) => s.id === a.sessionId)) throw new Error("auth.sessions lists A's session");
    },
  },
  "auth.revokeSession": refused((c, a) => c.auth.revokeSession.mutate({ sessionId: a.sessionId }), ["owner"]),

  // tenant
  "tenant.get": ownOnly((c) => c.tenant.get.query()),
  "tenant.rename": ownOnly((c) => c.tenant.rename.mutate({ name: "B renamed" })),
  "tenant.setConversationRetention": ownOnly((c) => c.tenant.setConversationRetention.mutate({ days: 30 })),
  "tenant.members": ownOnly((c) => c.tenant.members.query()),
  "tenant.changeRole": refused((c, a) =>
    c.tenant.changeRole.mutate({ userId: a.memberUserId, role: "owner" }),
  ),
  "tenant.invite": ownOnly((c) => c.tenant.invite.mutate({ email: "someone@example.com", role: "member" })),
  "tenant.invitations": ownOnly((c) => c.tenant.invitations.query()),
  "tenant.revokeInvitation": refused((c, a) =>
    c.tenant.revokeInvitation.mutate({ invitationId: a.invitationId }),
  ),
  "tenant.acceptInvitation": refused(
    (c, a) => c.tenant.acceptInvitation.mutate({ token: a.invitationToken }),
    all,
  ),
  "tenant.removeMember": refused((c, a) => c.tenant.removeMember.mutate({ userId: a.memberUserId })),
  "tenant.leave": ownOnly((c) => c.tenant.leave.mutate()),
  "tenant.auditLog": ownOnly((c) => c.tenant.auditLog.query({ limit: 100 })),
  "tenant.notifications": ownOnly((c) => c.tenant.notifications.query()),
  "tenant.setNotifications": ownOnly((c) => c.tenant.setNotifications.mutate({ humanRequests: false })),

  // apiKey
  "apiKey.create": ownOnly((c) => c.apiKey.create.mutate({ name: "B key", scopes: ["read"] })),
  "apiKey.list": ownOnly((c) => c.apiKey.list.query()),
  "apiKey.revoke": refused((c, a) => c.apiKey.revoke.mutate({ keyId: a.apiKeyId })),

  // ai
  "ai.get": ownOnly((c) => c.ai.get.query()),
  "ai.update": ownOnly((c) => c.ai.update.mutate({ provider: "offline" })),
  "ai.testConnection": ownOnly((c) => c.ai.testConnection.mutate()),

  // analytics
  "analytics.overview": {
    attempts: [
      {
        expect: "refused",
        call: (c, a) =>
          c.analytics.overview.query({ from: "2026-01-01", to: "2026-01-31", chatbotId: a.chatbotId }),
      },
      ownTenant((c) => c.analytics.overview.query({ from: "2026-01-01", to: "2026-01-31" })),
    ],
  },

  // chatbot (helper E's module)
  "chatbot.list": ownOnly((c) => c.chatbot.list.query()),
  "chatbot.get": refused((c, a) => c.chatbot.get.query({ chatbotId: a.chatbotId })),
  "chatbot.create": ownOnly((c) => c.chatbot.create.mutate({ name: "B bot 2" })),
  "chatbot.update": refused((c, a) => c.chatbot.update.mutate({ chatbotId: a.chatbotId, name: "pwned" })),
  "chatbot.publish": refused((c, a) => c.chatbot.publish.mutate({ chatbotId: a.chatbotId })),
  "chatbot.unpublish": refused((c, a) => c.chatbot.unpublish.mutate({ chatbotId: a.chatbotId })),
  "chatbot.duplicate": refused((c, a) => c.chatbot.duplicate.mutate({ chatbotId: a.chatbotId })),
  "chatbot.delete": refused((c, a) => c.chatbot.delete.mutate({ chatbotId: a.chatbotId })),
  "chatbot.embedSnippet": refused((c, a) => c.chatbot.embedSnippet.query({ chatbotId: a.chatbotId })),
  "chatbot.voiceSample": refused((c, a) =>
    c.chatbot.voiceSample.mutate({
      chatbotId: a.chatbotId,
      voice: { provider: "offline", voice: "", speed: 1 },
    }),
  ),
  "chatbot.avatar.createUpload": ownOnly((c) =>
    c.chatbot.avatar.createUpload.mutate({
      name: "b.glb",
      format: "glb",
      contentType: "model/gltf-binary",
      sizeBytes: 100,
    }),
  ),
  "chatbot.avatar.confirm": refused((c, a) => c.chatbot.avatar.confirm.mutate({ assetId: a.assetId })),
  "chatbot.avatar.list": ownOnly((c) => c.chatbot.avatar.list.query()),
  "chatbot.avatar.delete": refused((c, a) => c.chatbot.avatar.delete.mutate({ assetId: a.assetId })),

  // knowledge (helper E's module)
  "knowledge.list": refused((c, a) => c.knowledge.list.query({ chatbotId: a.chatbotId })),
  "knowledge.createUpload": refused((c, a) =>
    c.knowledge.createUpload.mutate({
      chatbotId: a.chatbotId,
      name: "x.txt",
      contentType: "text/plain",
      sizeBytes: 10,
    }),
  ),
  "knowledge.confirmUpload": refused((c, a) => c.knowledge.confirmUpload.mutate({ sourceId: a.sourceId })),
  "knowledge.addUrl": refused((c, a) =>
    c.knowledge.addUrl.mutate({ chatbotId: a.chatbotId, url: "https://example.com/" }),
  ),
  "knowledge.addText": refused((c, a) =>
    c.knowledge.addText.mutate({ chatbotId: a.chatbotId, title: "x", text: "injected" }),
  ),
  "knowledge.reindex": refused((c, a) => c.knowledge.reindex.mutate({ sourceId: a.sourceId })),
  "knowledge.delete": refused((c, a) => c.knowledge.delete.mutate({ sourceId: a.sourceId })),
  "knowledge.searchPreview": refused((c, a) =>
    c.knowledge.searchPreview.query({ chatbotId: a.chatbotId, question: "secret" }),
  ),

  // conversation, visitor side (visitor token or chat-scoped key) and dashboard side (helper E's module)
  "conversation.start": {
    attempts: [
      {
        expect: "refused",
        as: ["owner", "apiKey"],
        call: (c, a) => c.conversation.start.mutate({ chatbotId: a.chatbotId }),
      },
      // A visitor always starts in its own token's chatbot: the id it names is ignored.
      ownTenant((c, a) => c.conversation.start.mutate({ chatbotId: a.chatbotId }), ["visitor"]),
    ],
  },
  "conversation.send": refused((c, a) =>
    c.conversation.send.mutate({ conversationId: a.conversationId, content: "hi", clientMessageId: "x1" }),
  ),
  "conversation.history": refused((c, a) =>
    c.conversation.history.query({ conversationId: a.conversationId }),
  ),
  "conversation.requestHuman": refused((c, a) =>
    c.conversation.requestHuman.mutate({ conversationId: a.conversationId }),
  ),
  "conversation.feedback": refused((c, a) =>
    c.conversation.feedback.mutate({ messageId: a.assistantMessageId, rating: "down" }),
  ),
  "conversation.stop": refused((c, a) => c.conversation.stop.mutate({ conversationId: a.apiConversationId })),
  "conversation.inbox": ownOnly((c) => c.conversation.inbox.query({})),
  "conversation.get": refused((c, a) => c.conversation.get.query({ conversationId: a.conversationId })),
  "conversation.export": refused((c, a) =>
    c.conversation.export.query({ conversationId: a.conversationId, format: "json" }),
  ),
  "conversation.takeOver": refused((c, a) =>
    c.conversation.takeOver.mutate({ conversationId: a.conversationId }),
  ),
  "conversation.reply": refused((c, a) =>
    c.conversation.reply.mutate({ conversationId: a.conversationId, content: "agent here" }),
  ),
  "conversation.handBack": refused((c, a) =>
    c.conversation.handBack.mutate({ conversationId: a.conversationId }),
  ),
  "conversation.close": refused((c, a) => c.conversation.close.mutate({ conversationId: a.conversationId })),
  "conversation.reopen": refused((c, a) =>
    c.conversation.reopen.mutate({ conversationId: a.conversationId }),
  ),

  // widget: public by a chatbot's public key, by design
  "widget.config": {
    exempt: "Public: a published chatbot's widget config, found by its public key.",
    check: async ({ clients, a }) => {
      const config = await clients.anonymous.widget.config.query({ publicKey: a.publicKey });
      if (JSON.stringify(config).includes(a.tenantId)) throw new Error("widget.config reveals the tenant id");
    },
  },
  "widget.start": {
    exempt: "Public: anyone may start as a new visitor of a published chatbot.",
    check: async ({ clients, a, b }) => {
      // B's visitor token must not carry B's visitor into A's chatbot.
      const started = await clients.anonymous.widget.start.mutate({
        publicKey: a.publicKey,
        visitorToken: b.visitorToken,
      });
      if (started.visitorId === b.visitorId) throw new Error("widget.start reused a foreign visitor");
      if (started.conversation !== null)
        throw new Error("widget.start returned a conversation to a new visitor");
    },
  },
};
