import { describe, expect, it } from "vitest";
import {
  avatarUploadProblem,
  canCreateChatbot,
  chatbotSettingsSchema,
  embedSnippet,
  normalizeOrigin,
  updateChatbotInput,
} from "./rules";

describe("chatbot rules", () => {
  it("allows chatbots up to the plan limit", () => {
    expect(canCreateChatbot({ maxChatbots: 3 }, 0)).toBe(true);
    expect(canCreateChatbot({ maxChatbots: 3 }, 2)).toBe(true);
    expect(canCreateChatbot({ maxChatbots: 3 }, 3)).toBe(false);
    expect(canCreateChatbot({ maxChatbots: 0 }, 0)).toBe(false);
  });

  it("normalizes origins and refuses wildcards, paths and other schemes", () => {
    expect(normalizeOrigin("https://Shop.Example.com/")).toBe("https://shop.example.com");
    expect(normalizeOrigin("https://shop.example.com:443")).toBe("https://shop.example.com");
    expect(normalizeOrigin("http://localhost:5173")).toBe("http://localhost:5173");
    for (const bad of [
      "*",
      "https://*.example.com",
      "https://a.com/shop",
      "ftp://a.com",
      "a.com",
      "https://a.com?x=1",
    ])
      expect(normalizeOrigin(bad)).toBeNull();
  });

  it("validates a whole settings form with readable messages", () => {
    const result = chatbotSettingsSchema.safeParse({
      name: "",
      persona: "",
      greeting: "",
      locale: "english",
      model: null,
      temperature: 3,
      maxTokens: 10,
      avatar: { kind: "vrm" },
      allowedOrigins: ["*"],
      theme: { primaryColor: "blue" },
    });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => i.message);
    expect(messages).toContain("Give the chatbot a name.");
    expect(messages).toContain("Use a hex color like #3366ff.");
    expect(messages).toContain("Choose an uploaded avatar for a GLB or VRM avatar.");
    expect(messages.some((m) => m.includes("no *"))).toBe(true);
  });

  it("dedupes origins and caps them at 50", () => {
    const id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    const parsed = updateChatbotInput.parse({
      chatbotId: id,
      allowedOrigins: ["https://a.com", "https://a.com/"],
    });
    expect(parsed.allowedOrigins).toEqual(["https://a.com"]);
    const many = Array.from({ length: 51 }, (_, i) => `https://s${i}.example.com`);
    expect(updateChatbotInput.safeParse({ chatbotId: id, allowedOrigins: many }).success).toBe(false);
  });

  it("checks avatar uploads' type and size", () => {
    expect(
      avatarUploadProblem({ format: "glb", contentType: "model/gltf-binary", sizeBytes: 10 }, 100),
    ).toBeNull();
    expect(avatarUploadProblem({ format: "vrm", contentType: "model/vrm", sizeBytes: 10 }, 100)).toBeNull();
    expect(avatarUploadProblem({ format: "glb", contentType: "image/png", sizeBytes: 10 }, 100)).toMatch(
      /must be sent/,
    );
    expect(
      avatarUploadProblem({ format: "glb", contentType: "model/gltf-binary", sizeBytes: 101 }, 100),
    ).toMatch(/larger than/);
  });

  it("builds the embed snippet", () => {
    expect(embedSnippet("https://chat.example.com/", "pk_abc")).toBe(
      '<script type="module" src="https://chat.example.com/widget/avatar-chat.js"></script><avatar-chat bot="pk_abc"></avatar-chat>',
    );
  });
});
