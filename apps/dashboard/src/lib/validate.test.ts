import { signUpInput } from "@avatar-chat/api/schemas";
import { describe, expect, it } from "vitest";
import { validate } from "./validate";

describe("form validation with the api's schemas", () => {
  it("returns the parsed data", () => {
    const result = validate(signUpInput, {
      email: "Ada@Example.com",
      password: "correct horse battery",
      name: "Ada",
      workspaceName: "Shop",
    });
    expect(result).toEqual({
      ok: true,
      data: {
        email: "ada@example.com",
        password: "correct horse battery",
        name: "Ada",
        workspaceName: "Shop",
      },
    });
  });

  it("keys the first message per field", () => {
    const result = validate(signUpInput, {
      email: "nope",
      password: "short",
      name: "Ada",
      workspaceName: "Shop",
    });
    expect(result).toEqual({
      ok: false,
      errors: { email: "Enter a valid email address.", password: "Use at least 10 characters." },
    });
  });

  it("speaks the product's sentences for fields whose schema has no message of its own", () => {
    const result = validate(signUpInput, { email: "ada@example.com", password: "correct horse battery" });
    expect(result).toEqual({
      ok: false,
      errors: { name: "Fill in this field.", workspaceName: "Fill in this field." },
    });
    const blank = validate(signUpInput, {
      email: "ada@example.com",
      password: "correct horse battery",
      name: " ",
      workspaceName: "",
    });
    expect(blank).toEqual({
      ok: false,
      errors: {
        name: "Enter your name.",
        workspaceName: "Name your workspace, for example your company's name.",
      },
    });
  });
});
