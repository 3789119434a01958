import { authRouter } from "./modules/auth/router";
import { router } from "./trpc";

// The app router is a flat merge of the domain routers; AppRouter is the type integrators import.
export const appRouter = router({
  auth: authRouter,
});

export type AppRouter = typeof appRouter;
