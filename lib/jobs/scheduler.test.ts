import { afterEach, describe, expect, it, vi } from "vitest";

import { runDueJobs, startJobs, stopJobs, type Job } from "./scheduler.ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterEach(async () => {
  await stopJobs();
  vi.restoreAllMocks();
});

describe("the job scheduler", () => {
  it("runs every job with the tick's time; one failing is logged without secrets and the rest still run", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const seen: string[] = [];
    const now = new Date("2026-12-07T00:00:00Z");
    const jobs: Job[] = [
      {
        name: "broken",
        run: () => Promise.reject(new Error("connect to smtp://keyward:hunter2@mail.example.com failed")),
      },
      { name: "fine", run: async (at) => void seen.push(at.toISOString()) },
    ];
    await runDueJobs(now, jobs);
    expect(seen).toEqual([now.toISOString()]);
    expect(errors).toHaveBeenCalledTimes(1);
    const logged = String(errors.mock.calls[0]?.[0]);
    expect(logged).toContain("[jobs] broken failed");
    expect(logged).not.toContain("hunter2");
  });

  it("ticks after the first delay and then on its interval, never overlapping itself, until stopped", async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const slow: Job = {
      name: "slow",
      run: async () => {
        running++;
        most = Math.max(most, running);
        runs++;
        await wait(40);
        running--;
      },
    };
    startJobs({ jobs: [slow], firstTickMs: 5, tickMs: 5 });
    startJobs({ jobs: [slow], firstTickMs: 5, tickMs: 5 }); // a second start changes nothing
    await wait(200);
    await stopJobs();
    const stoppedAt = runs;
    expect(stoppedAt).toBeGreaterThanOrEqual(2);
    expect(most).toBe(1);
    expect(running).toBe(0); // stopJobs waited for the tick under way
    await wait(60);
    expect(runs).toBe(stoppedAt);
  });
});
