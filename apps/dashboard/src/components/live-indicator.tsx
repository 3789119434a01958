import { useRealtimeStatus } from "../lib/realtime";

/** Whether live updates are arriving: the shared realtime socket's state, in a word. */
export function LiveIndicator() {
  const status = useRealtimeStatus();
  const label = status === "open" ? "● live" : status === "expired" ? "○ session ended" : "○ reconnecting…";
  return <output className="muted">{label}</output>;
}
