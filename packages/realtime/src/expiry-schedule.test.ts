import { afterEach, expect, it, vi } from "vitest";
import { createExpirySchedule } from "./expiry-schedule";

afterEach(() => {
  vi.useRealTimers();
});

it("fires each item once its second is reached, at most a second late, with one timer for all", () => {
  vi.useFakeTimers({ now: 1_000_000 });
  const fired: string[] = [];
  const schedule = createExpirySchedule<string>((item) => fired.push(item));
  schedule.add("a", 1001);
  schedule.add("b", 1001);
  schedule.add("c", 1003);
  schedule.add("late", 999); // already past: next sweep
  expect(vi.getTimerCount()).toBe(1);
  expect(schedule.size).toBe(4);

  vi.advanceTimersByTime(1000);
  expect(fired.sort()).toEqual(["a", "b", "late"]);
  vi.advanceTimersByTime(1000);
  expect(fired).toHaveLength(3);
  vi.advanceTimersByTime(1000);
  expect(fired).toHaveLength(4);
  expect(schedule.size).toBe(0);
  expect(vi.getTimerCount()).toBe(0); // idle: no timer left running
});

it("forgets deleted items and stops its timer when nothing is left", () => {
  vi.useFakeTimers({ now: 1_000_000 });
  const fired: string[] = [];
  const schedule = createExpirySchedule<string>((item) => fired.push(item));
  schedule.add("a", 1002);
  schedule.add("b", 1002);
  schedule.delete("a", 1002);
  schedule.delete("a", 1002); // twice is harmless
  expect(schedule.size).toBe(1);
  schedule.delete("b", 1002);
  expect(schedule.size).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
  vi.advanceTimersByTime(5000);
  expect(fired).toEqual([]);
});
