import { TRPCError } from "@trpc/server";
import { router, tenantProcedure } from "../../trpc";
import { chatbotExists, lastRolledUp, usageRows } from "./queries";
import { analyticsInput, dailySeries, topUnanswered, totalsOf } from "./rules";

export const analyticsRouter = router({
  /** Daily series and totals for a date range, the whole tenant or one chatbot, from the daily roll-up. */
  overview: tenantProcedure
    .meta({ scope: "read" })
    .input(analyticsInput)
    .query(({ ctx, input }) =>
      ctx.readLagging(async (tx) => {
        if (input.chatbotId && !(await chatbotExists(tx, ctx.tenantId, input.chatbotId))) {
          throw new TRPCError({ code: "NOT_FOUND", message: "No such chatbot." });
        }
        const rows = await usageRows(tx, ctx.tenantId, input);
        return {
          from: input.from,
          to: input.to,
          chatbotId: input.chatbotId ?? null,
          // The figures come from a periodic roll-up, not live counts: the dashboard says how fresh they are.
          rolledUpAt: await lastRolledUp(tx, ctx.tenantId, input.chatbotId),
          series: dailySeries(rows, input.from, input.to),
          summary: { ...totalsOf(rows), topUnanswered: topUnanswered(rows) },
        };
      }),
    ),
});
