/**
 * Preloaded into each benchmarked CLI process (`node --import <probe.mjs> dist/src/cli/main.js …`, transpiled by compiled.ts):
 * samples process.memoryUsage() every 100 ms and, when the process exits, writes the peaks, the kernel's
 * high-water RSS and CPU time as JSON to the file named by HPS_BENCH_PROBE. Does nothing without that variable.
 */
import { writeFileSync } from 'node:fs';

export interface ProbeSample {
  /** ms since the probe started (process start, near enough). */
  t: number;
  rss: number;
  heapUsed: number;
}

export interface ProbeResult {
  pid: number;
  /** Kernel high-water mark of resident memory (getrusage ru_maxrss), bytes. */
  maxRss: number;
  /** Largest sampled values, bytes. */
  peakRss: number;
  peakHeapUsed: number;
  peakHeapTotal: number;
  peakExternal: number;
  peakArrayBuffers: number;
  samples: number;
  /** CPU time of the whole process (all threads: libvips and libuv included), ms. */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Wall time from the probe's start to exit, ms. */
  wallMs: number;
  /** One sample per second, for a memory-over-time picture. */
  timeline: ProbeSample[];
  exitCode: number | undefined;
}

const out = process.env.HPS_BENCH_PROBE;
if (out) {
  const t0 = performance.now();
  const peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  const timeline: ProbeSample[] = [];
  let samples = 0;
  let lastTimelineAt = -Infinity;
  const sample = (): void => {
    const m = process.memoryUsage();
    samples += 1;
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.heapTotal = Math.max(peak.heapTotal, m.heapTotal);
    peak.external = Math.max(peak.external, m.external);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    const t = performance.now() - t0;
    if (t - lastTimelineAt >= 1000) {
      lastTimelineAt = t;
      timeline.push({ t: Math.round(t), rss: m.rss, heapUsed: m.heapUsed });
    }
  };
  sample();
  setInterval(sample, 100).unref();
  process.on('exit', (code) => {
    sample();
    const usage = process.resourceUsage();
    const result: ProbeResult = {
      pid: process.pid,
      maxRss: usage.maxRSS * 1024,
      peakRss: peak.rss,
      peakHeapUsed: peak.heapUsed,
      peakHeapTotal: peak.heapTotal,
      peakExternal: peak.external,
      peakArrayBuffers: peak.arrayBuffers,
      samples,
      cpuUserMs: usage.userCPUTime / 1000,
      cpuSystemMs: usage.systemCPUTime / 1000,
      wallMs: performance.now() - t0,
      timeline,
      exitCode: code,
    };
    writeFileSync(out, `${JSON.stringify(result)}\n`);
  });
}
