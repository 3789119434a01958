import { describe, expect, it } from "vitest";
import { z } from "zod";
import { inputError } from "./input-messages";
import { signUpInput } from "./modules/auth/rules";
import { updateChatbotInput } from "./modules/chatbot/rules";

const messages = (schema: z.ZodType, value: unknown) =>
  (schema.safeParse(value, { error: inputError }).error?.issues ?? []).map((i) => i.message);

describe("input messages", () => {
  it("puts the product's sentences where a schema has none, never zod's own text", () => {
    expect(messages(z.string().trim().min(1), "  ")).toEqual(["Fill in this field."]);
    expect(messages(z.string().min(3), "ab")).toEqual(["Use at least 3 characters."]);
    expect(messages(z.string().max(80), "x".repeat(81))).toEqual(["Use at most 80 characters."]);
    expect(messages(z.number().min(16).max(8192), 9000)).toEqual(["Use a number of at most 8192."]);
    expect(messages(z.number().int(), 1.5)).toEqual(["Enter a number."]);
    expect(messages(z.number(), "many")).toEqual(["Enter a number."]);
    expect(messages(z.string(), undefined)).toEqual(["Fill in this field."]);
    expect(messages(z.uuid(), "nope")).toEqual(["Choose one from the list."]);
    expect(messages(z.enum(["a", "b"]), "c")).toEqual(["Choose one of the options."]);
    expect(messages(z.array(z.string()).max(2), ["a", "b", "c"])).toEqual(["Use at most 2."]);
  });

  it("keeps a schema's own message", () => {
    expect(messages(signUpInput.shape.email, "nope")).toEqual(["Enter a valid email address."]);
  });

  it("leaves no zod wording in the sign-up and chatbot forms", () => {
    const all = [
      ...messages(signUpInput, { email: "", password: "", name: " ", workspaceName: "" }),
      ...messages(updateChatbotInput, {
        chatbotId: "x",
        name: "",
        temperature: 3,
        maxTokens: 1.5,
        locale: "",
        model: "",
      }),
    ];
    expect(all.length).toBeGreaterThan(5);
    for (const message of all) expect(message).not.toMatch(/Too small|Too big|Invalid|expected|received/);
  });
});
