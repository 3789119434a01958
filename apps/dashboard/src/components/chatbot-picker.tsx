import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link, useSearchParams } from "react-router";
import { rememberChatbot, rememberedChatbot } from "../lib/working-chatbot";
import { useSession } from "../session/session";
import { trpc } from "../trpc";
import { EmptyState, ErrorState, Loading } from "./states";

/**
 * The chatbot a screen works on, kept in the URL (`?bot=`) so links and reloads keep it. Defaults to the
 * one last worked on (opened in the editor or chosen here), else the newest. Renders the select, or the
 * loading/empty/error state while there is none.
 */
export function useChosenChatbot(options: { allowAll?: boolean } = {}) {
  const { tenantId } = useSession();
  const [params, setParams] = useSearchParams();
  const chatbots = useQuery(trpc.chatbot.list.queryOptions());
  const requested = params.get("bot");
  const list = chatbots.data ?? [];
  const remembered = rememberedChatbot(tenantId);
  const chosen =
    list.find((c) => c.id === requested) ??
    (options.allowAll ? undefined : (list.find((c) => c.id === remembered) ?? list[0]));

  useEffect(() => {
    if (options.allowAll || !chosen) return;
    rememberChatbot(tenantId, chosen.id);
    if (requested !== chosen.id) {
      setParams(
        (p) => {
          p.set("bot", chosen.id);
          return p;
        },
        { replace: true },
      );
    }
  }, [chosen, requested, setParams, options.allowAll, tenantId]);

  const picker = (
    <label className="row">
      <span>Chatbot</span>
      <select
        value={chosen?.id ?? ""}
        onChange={(e) =>
          setParams((p) => {
            if (e.target.value) p.set("bot", e.target.value);
            else p.delete("bot");
            return p;
          })
        }
      >
        {options.allowAll && <option value="">All chatbots</option>}
        {list.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
    </label>
  );

  let placeholder: React.ReactNode = null;
  if (chatbots.isPending) placeholder = <Loading what="chatbots" />;
  else if (chatbots.error)
    placeholder = <ErrorState error={chatbots.error} retry={() => void chatbots.refetch()} />;
  else if (list.length === 0)
    placeholder = (
      <EmptyState title="No chatbot yet.">
        <Link className="button button-primary" to="/onboarding">
          Create your first chatbot
        </Link>
      </EmptyState>
    );
  return { chatbots: list, chosen, picker, placeholder };
}
