import type { AppRouter } from "@avatar-chat/api";
import { analyticsInput } from "@avatar-chat/api/schemas";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useSearchParams } from "react-router";
import { BarChart, LineChart } from "../components/charts";
import { useChosenChatbot } from "../components/chatbot-picker";
import { EmptyState, ErrorState, Loading, Notice } from "../components/states";
import { type DateRange, lastDays, rangePresets } from "../lib/date-range";
import { formatDateTime, formatNumber } from "../lib/format";
import { useTenantEvent } from "../lib/realtime";
import { validate } from "../lib/validate";
import { useSession } from "../session/session";
import { queryClient, trpc } from "../trpc";

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="muted">{label}</div>
      <div className="stat-value">{value}</div>
    </div>
  );
}

export default function Analytics() {
  const { tenantId } = useSession();
  const [params, setParams] = useSearchParams();
  const { chosen, picker, placeholder } = useChosenChatbot({ allowAll: true });
  const preset = rangePresets.find((p) => p.id === (params.get("range") ?? "30d"));
  const range: DateRange =
    preset || !params.get("from") || !params.get("to")
      ? lastDays(preset?.days ?? 30, new Date())
      : { from: params.get("from")!, to: params.get("to")! };
  const input = { ...range, ...(chosen ? { chatbotId: chosen.id } : {}) };
  const checked = validate(analyticsInput, input);
  const overview = useQuery({ ...trpc.analytics.overview.queryOptions(input), enabled: checked.ok });
  // New conversations change today's numbers once the roll-up runs; refetch, throttled by staleTime.
  useTenantEvent(tenantId, "conversation.updated", () => {
    void queryClient.invalidateQueries({
      queryKey: trpc.analytics.overview.pathKey(),
      refetchType: "active",
    });
  });
  const setRange = (change: Record<string, string | null>) =>
    setParams((p) => {
      for (const [k, v] of Object.entries(change)) {
        if (v) p.set(k, v);
        else p.delete(k);
      }
      return p;
    });

  return (
    <section aria-labelledby="analytics-title">
      <div className="page-header">
        <h1 id="analytics-title">Analytics</h1>
      </div>
      <fieldset className="card row">
        <legend className="visually-hidden">Filters</legend>
        {!placeholder && picker}
        <label className="row">
          <span>Range</span>
          <select value={preset?.id ?? "custom"} onChange={(e) => setRange({ range: e.target.value })}>
            {rangePresets.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
            <option value="custom">Custom</option>
          </select>
        </label>
        {!preset && (
          <>
            <label className="row">
              <span>From</span>
              <input type="date" value={range.from} onChange={(e) => setRange({ from: e.target.value })} />
            </label>
            <label className="row">
              <span>To</span>
              <input type="date" value={range.to} onChange={(e) => setRange({ to: e.target.value })} />
            </label>
          </>
        )}
      </fieldset>
      {!checked.ok && <Notice kind="error">{Object.values(checked.errors)[0]}</Notice>}
      {overview.isPending && checked.ok && <Loading what="analytics" />}
      {overview.error && <ErrorState error={overview.error} retry={() => void overview.refetch()} />}
      {overview.data && <Charts data={overview.data} />}
    </section>
  );
}

type Overview = inferRouterOutputs<AppRouter>["analytics"]["overview"];

function Charts({ data }: { data: Overview }) {
  const { series, summary } = data;
  const days = series.map((d) => d.day);
  const percent = (v: number | null) => (v === null ? "—" : `${Math.round(v * 100)}%`);
  const ms = (v: number | null) => (v === null ? "—" : `${formatNumber(v)} ms`);
  return (
    <div className="stack">
      <p className="muted" data-testid="analytics-freshness">
        Figures are rolled up from the conversations about once a minute, so the newest messages can take a
        minute or two to count.{" "}
        {data.rolledUpAt
          ? `Last roll-up: ${formatDateTime(data.rolledUpAt)}.`
          : "Nothing has been rolled up yet."}
      </p>
      <div className="stat-grid" data-testid="analytics-summary">
        <Stat label="Conversations" value={formatNumber(summary.conversations)} />
        <Stat label="Messages" value={formatNumber(summary.messages)} />
        <Stat label="Tokens" value={formatNumber(summary.tokens)} />
        <Stat label="Latency p50 / p95" value={`${ms(summary.latencyP50Ms)} / ${ms(summary.latencyP95Ms)}`} />
        <Stat label="Satisfaction" value={percent(summary.satisfaction)} />
        <Stat label="Unanswered" value={formatNumber(summary.unanswered)} />
        <Stat label="Voice transcriptions" value={formatNumber(summary.transcriptions)} />
      </div>
      <div className="grid-2">
        <LineChart
          title="Conversations and messages per day"
          days={days}
          series={[
            { label: "Conversations", values: series.map((d) => d.conversations) },
            { label: "Messages", values: series.map((d) => d.messages) },
          ]}
        />
        <BarChart
          title="Tokens per day"
          days={days}
          series={{ label: "Tokens", values: series.map((d) => d.tokens) }}
        />
        <LineChart
          title="Reply latency"
          unit=" ms"
          days={days}
          series={[
            { label: "p50", values: series.map((d) => d.latencyP50Ms) },
            { label: "p95", values: series.map((d) => d.latencyP95Ms) },
          ]}
        />
        <LineChart
          title="Satisfaction (share of thumbs up)"
          unit="%"
          fixedMax={100}
          days={days}
          series={[
            {
              label: "Satisfaction",
              values: series.map((d) => (d.satisfaction === null ? null : Math.round(d.satisfaction * 100))),
            },
          ]}
        />
      </div>
      <div className="card">
        <h2>Unanswered questions</h2>
        {summary.topUnanswered.length === 0 ? (
          <EmptyState title="No unanswered questions in this range." />
        ) : (
          <ol>
            {summary.topUnanswered.map((q) => (
              <li key={q.question}>
                {q.question} <span className="muted">× {q.count}</span>
              </li>
            ))}
          </ol>
        )}
      </div>
    </div>
  );
}
