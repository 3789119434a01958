import { describe, expect, it } from "vitest";
import { can, isRole } from "./permissions";

describe("role-aware UI", () => {
  it("hides key, billing and member management from members", () => {
    for (const action of ["manageApiKeys", "viewBilling", "manageMembers", "editChatbots"] as const) {
      expect(can("member", action)).toBe(false);
      expect(can("owner", action)).toBe(true);
    }
  });

  it("lets admins manage keys and members but not change roles or see billing", () => {
    expect(can("admin", "manageApiKeys")).toBe(true);
    expect(can("admin", "manageMembers")).toBe(true);
    expect(can("admin", "changeRoles")).toBe(false);
    expect(can("admin", "viewBilling")).toBe(false);
  });

  it("recognizes roles", () => {
    expect(isRole("admin")).toBe(true);
    expect(isRole("root")).toBe(false);
  });
});
