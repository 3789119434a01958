import { Navigate, NavLink, useParams } from "react-router";
import { type Action, can } from "../lib/permissions";
import { useSession } from "../session/session";
import { AiSettings } from "./settings/ai";
import { ApiKeys } from "./settings/api-keys";
import { AuditLog } from "./settings/audit-log";
import { Members } from "./settings/members";
import { Notifications } from "./settings/notifications";
import { Plan } from "./settings/plan";
import { Retention } from "./settings/retention";
import { Sessions } from "./settings/sessions";

const tabs: { id: string; label: string; needs?: Action; Screen: () => React.JSX.Element }[] = [
  { id: "members", label: "Members", Screen: Members },
  { id: "api-keys", label: "API keys", needs: "manageApiKeys", Screen: ApiKeys },
  { id: "ai", label: "AI provider", needs: "manageAiSettings", Screen: AiSettings },
  { id: "plan", label: "Plan & usage", Screen: Plan },
  { id: "retention", label: "Data retention", Screen: Retention },
  { id: "audit", label: "Audit log", needs: "viewAuditLog", Screen: AuditLog },
  { id: "notifications", label: "Notifications", Screen: Notifications },
  { id: "sessions", label: "Sessions", Screen: Sessions },
];

export default function Settings() {
  const { tab } = useParams();
  const { role } = useSession();
  const visible = tabs.filter((t) => !t.needs || can(role, t.needs));
  const current = visible.find((t) => t.id === tab);
  if (!current) return <Navigate to="/settings/members" replace />;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <nav className="tabs" aria-label="Settings">
        {visible.map((t) => (
          <NavLink key={t.id} to={`/settings/${t.id}`}>
            {t.label}
          </NavLink>
        ))}
      </nav>
      <current.Screen />
    </section>
  );
}
