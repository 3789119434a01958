import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense } from "react";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { PageLoading } from "./components/states";
import { RequireSession } from "./session/require-session";
import { UnauthorizedRedirect } from "./session/unauthorized-redirect";
import { queryClient } from "./trpc";

// Every screen is its own chunk: the first paint (sign-in) loads only the shell.
const SignIn = lazy(() => import("./routes/sign-in"));
const SignUp = lazy(() => import("./routes/sign-up"));
const Home = lazy(() => import("./routes/home"));
const Onboarding = lazy(() => import("./routes/onboarding"));
const Chatbots = lazy(() => import("./routes/chatbots"));
const ChatbotEdit = lazy(() => import("./routes/chatbot-edit"));
const Avatar = lazy(() => import("./routes/avatar"));
const Knowledge = lazy(() => import("./routes/knowledge"));
const Inbox = lazy(() => import("./routes/inbox"));
const Analytics = lazy(() => import("./routes/analytics"));
const Settings = lazy(() => import("./routes/settings"));
const NotFound = lazy(() => import("./routes/not-found"));
const AcceptInvite = lazy(() => import("./routes/accept-invite"));

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <UnauthorizedRedirect />
        <Suspense fallback={<PageLoading />}>
          <Routes>
            <Route path="/sign-in" element={<SignIn />} />
            <Route path="/sign-up" element={<SignUp />} />
            <Route element={<RequireSession />}>
              <Route index element={<Home />} />
              <Route path="accept-invite" element={<AcceptInvite />} />
              <Route path="onboarding" element={<Onboarding />} />
              <Route path="chatbots" element={<Chatbots />} />
              <Route path="chatbots/:chatbotId" element={<ChatbotEdit />} />
              <Route path="avatar" element={<Avatar />} />
              <Route path="knowledge" element={<Knowledge />} />
              <Route path="inbox" element={<Inbox />} />
              <Route path="inbox/:conversationId" element={<Inbox />} />
              <Route path="analytics" element={<Analytics />} />
              <Route path="settings" element={<Navigate to="/settings/members" replace />} />
              <Route path="settings/:tab" element={<Settings />} />
              <Route path="*" element={<NotFound />} />
            </Route>
          </Routes>
        </Suspense>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
