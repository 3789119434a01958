// The chatbot the user last worked on, per workspace, so Knowledge and Avatar open on it rather than on
// whichever chatbot happens to come first. Browser storage only: a preference, not data.

const key = (tenantId: string) => `avatar-chat-dashboard:chatbot:${tenantId}`;

export function rememberChatbot(tenantId: string, chatbotId: string): void {
  try {
    localStorage.setItem(key(tenantId), chatbotId);
  } catch {
    // Storage blocked: screens fall back to the newest chatbot.
  }
}

export function rememberedChatbot(tenantId: string): string | null {
  try {
    return localStorage.getItem(key(tenantId));
  } catch {
    return null;
  }
}
