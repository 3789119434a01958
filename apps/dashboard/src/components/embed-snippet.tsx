import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { trpc } from "../trpc";
import { ErrorState, Loading } from "./states";

/** The chatbot's embed snippet with a copy button. */
export function EmbedSnippet({ chatbotId, published }: { chatbotId: string; published: boolean }) {
  const snippet = useQuery(trpc.chatbot.embedSnippet.queryOptions({ chatbotId }));
  const [copied, setCopied] = useState(false);
  if (snippet.isPending) return <Loading what="the embed snippet" />;
  if (snippet.error) return <ErrorState error={snippet.error} retry={() => void snippet.refetch()} />;
  async function copy() {
    await navigator.clipboard.writeText(snippet.data!.snippet).catch(() => {});
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <div className="stack">
      <p className="muted">
        Paste this into your site's HTML, before <code>&lt;/body&gt;</code>.
        {!published && " Publish the chatbot first, and add your site to the allowed origins."}
      </p>
      <pre data-testid="embed-snippet">{snippet.data.snippet}</pre>
      <div className="row">
        <button type="button" className="button" onClick={() => void copy()}>
          Copy snippet
        </button>
        <output className="muted">{copied ? "Copied to the clipboard." : ""}</output>
      </div>
    </div>
  );
}
