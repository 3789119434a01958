import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { NavLink, useNavigate } from "react-router";
import { closeRealtime } from "../lib/realtime";
import { signInPath } from "../session/paths";
import { useSession } from "../session/session";
import { queryClient, trpc } from "../trpc";
import { TenantSwitcher } from "./tenant-switcher";

const links = [
  { to: "/chatbots", label: "Chatbots" },
  { to: "/avatar", label: "Avatar" },
  { to: "/knowledge", label: "Knowledge" },
  { to: "/inbox", label: "Inbox" },
  { to: "/analytics", label: "Analytics" },
  { to: "/settings", label: "Settings" },
];

/** Header, navigation and the main landmark around every signed-in screen. */
export function Shell({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const navigate = useNavigate();
  const signOut = useMutation(
    trpc.auth.signOut.mutationOptions({
      onSettled: () => {
        queryClient.clear();
        closeRealtime();
        navigate(signInPath("/", "signed-out"), { replace: true });
      },
    }),
  );
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand" aria-hidden="true">
          ◉
        </span>
        <TenantSwitcher />
        <span className="topbar-spacer" />
        <span className="muted user-name">{me.user.name || me.user.email}</span>
        <button
          type="button"
          className="button button-quiet"
          onClick={() => signOut.mutate()}
          disabled={signOut.isPending}
        >
          Sign out
        </button>
      </header>
      <nav className="sidenav" aria-label="Main">
        <ul>
          {links.map((link) => (
            <li key={link.to}>
              <NavLink to={link.to}>{link.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
