import { describe, expect, it } from "vitest";
import {
  invitationState,
  leaveRefusal,
  monthKey,
  notifiedOfHumanRequests,
  removalRefusal,
  roleChangeRefusal,
} from "./rules";

describe("tenant rules", () => {
  it("keeps at least one owner", () => {
    expect(roleChangeRefusal({ role: "owner" }, "member", 1)).toMatch(/owner/);
    expect(roleChangeRefusal({ role: "owner" }, "owner", 1)).toBeNull();
    expect(roleChangeRefusal({ role: "member" }, "owner", 1)).toBeNull();
    expect(leaveRefusal("owner", 1)).not.toBeNull();
    expect(leaveRefusal("owner", 2)).toBeNull();
    expect(leaveRefusal("member", 1)).toBeNull();
  });

  it("lets only owners remove owners", () => {
    expect(removalRefusal("admin", "owner", 3)).toMatch(/Only an owner/);
    expect(removalRefusal("admin", "member", 1)).toBeNull();
    expect(removalRefusal("admin", "admin", 1)).toBeNull();
  });

  it("names an invitation's state, used and revoked before expired", () => {
    const now = new Date("2026-05-10T12:00:00Z");
    const base = { accepted_at: null, revoked_at: null, expires_at: new Date("2026-05-11T00:00:00Z") };
    expect(invitationState(base, now)).toBe("pending");
    expect(invitationState({ ...base, expires_at: now }, now)).toBe("expired");
    expect(invitationState({ ...base, expires_at: now, accepted_at: now }, now)).toBe("accepted");
    expect(invitationState({ ...base, expires_at: now, revoked_at: now }, now)).toBe("revoked");
  });

  it("keys usage by the first day of the UTC month", () => {
    expect(monthKey(new Date("2026-02-28T23:59:59Z"))).toBe("2026-02-01");
    expect(monthKey(new Date("2026-03-01T00:00:00Z"))).toBe("2026-03-01");
  });
});

describe("human-request emails", () => {
  it("follow the member's own choice, else go to owners and admins only", () => {
    expect(notifiedOfHumanRequests("owner", null)).toBe(true);
    expect(notifiedOfHumanRequests("admin", null)).toBe(true);
    expect(notifiedOfHumanRequests("member", null)).toBe(false);
    expect(notifiedOfHumanRequests("owner", false)).toBe(false);
    expect(notifiedOfHumanRequests("member", true)).toBe(true);
  });
});
