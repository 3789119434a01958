import { aiRouter } from "./modules/ai/router";
import { analyticsRouter } from "./modules/analytics/router";
import { apiKeyRouter } from "./modules/apiKey/router";
import { authRouter } from "./modules/auth/router";
import { chatbotRouter } from "./modules/chatbot/router";
import { conversationRouter } from "./modules/conversation/router";
import { knowledgeRouter } from "./modules/knowledge/router";
import { tenantRouter } from "./modules/tenant/router";
import { widgetRouter } from "./modules/widget/router";
import { router } from "./trpc";

// The app router is a flat merge of the domain routers; AppRouter is the type integrators import.
export const appRouter = router({
  auth: authRouter,
  apiKey: apiKeyRouter,
  ai: aiRouter,
  analytics: analyticsRouter,
  tenant: tenantRouter,
  chatbot: chatbotRouter,
  knowledge: knowledgeRouter,
  conversation: conversationRouter,
  widget: widgetRouter,
});

export type AppRouter = typeof appRouter;
