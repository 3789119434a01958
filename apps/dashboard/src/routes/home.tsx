import { useQuery } from "@tanstack/react-query";
import { Navigate } from "react-router";
import { ErrorState, PageLoading } from "../components/states";
import { trpc } from "../trpc";

/** `/`: a workspace without chatbots starts onboarding, others see their chatbots. */
export default function Home() {
  const chatbots = useQuery(trpc.chatbot.list.queryOptions());
  if (chatbots.isPending) return <PageLoading />;
  if (chatbots.error) return <ErrorState error={chatbots.error} retry={() => void chatbots.refetch()} />;
  return <Navigate to={chatbots.data.length === 0 ? "/onboarding" : "/chatbots"} replace />;
}
