/** Starting points for a first chatbot: a persona and greeting a tenant edits later. */
export interface ChatbotTemplate {
  id: string;
  title: string;
  description: string;
  name: string;
  persona: string;
  greeting: string;
  temperature: number;
}

export const chatbotTemplates: readonly ChatbotTemplate[] = [
  {
    id: "support",
    title: "Customer support",
    description: "Answers questions from your documents and hands over to a person when unsure.",
    name: "Support assistant",
    persona:
      "You are a friendly, precise support assistant. Answer from the knowledge provided. When the answer is not there, say so and offer to connect the visitor with a person.",
    greeting: "Hi! I can answer questions about our products and your orders. What can I help with?",
    temperature: 0.3,
  },
  {
    id: "sales",
    title: "Sales guide",
    description: "Helps visitors pick the right product or plan and books a demo.",
    name: "Product guide",
    persona:
      "You are an enthusiastic but honest product guide. Ask one question at a time to understand the visitor's needs, then recommend the best fitting product or plan.",
    greeting: "Hello! Looking for the right plan? Tell me a little about what you need.",
    temperature: 0.6,
  },
  {
    id: "onboarding",
    title: "Product onboarding",
    description: "Walks new users through their first steps in your product.",
    name: "Onboarding coach",
    persona:
      "You are a patient onboarding coach. Explain steps in short numbered lists and check that each step worked before moving on.",
    greeting: "Welcome aboard! Shall we set things up together? It takes about five minutes.",
    temperature: 0.4,
  },
];

export function templateById(id: string): ChatbotTemplate {
  return chatbotTemplates.find((t) => t.id === id) ?? chatbotTemplates[0]!;
}
