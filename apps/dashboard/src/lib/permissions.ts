export type Role = "owner" | "admin" | "member";

const rank: Record<Role, number> = { member: 0, admin: 1, owner: 2 };

/**
 * What the dashboard shows each role; mirrors the api's `minRole` on the procedures so members are not
 * offered buttons the api would refuse. The api stays the authority.
 */
export const actionMinRole = {
  manageMembers: "admin",
  changeRoles: "owner",
  manageApiKeys: "admin",
  manageAiSettings: "admin",
  viewBilling: "owner",
  viewAuditLog: "admin",
  renameWorkspace: "admin",
  manageRetention: "admin",
  editChatbots: "admin",
  editKnowledge: "admin",
} as const satisfies Record<string, Role>;

export type Action = keyof typeof actionMinRole;

export function can(role: Role, action: Action): boolean {
  return rank[role] >= rank[actionMinRole[action]];
}

export function isRole(value: string): value is Role {
  return value in rank;
}
