/** The request log: bounded (oldest entries dropped) so a long CLI run does not grow without end. */
import type { RequestLogEntry } from './types.js';

export const LOG_CAPACITY = 200_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  constructor(private readonly capacity = LOG_CAPACITY) {}

  add(entry: Omit<RequestLogEntry, 'at'>): void {
    this.entries.push({ ...entry, at: Date.now() });
    if (this.entries.length > this.capacity) this.entries = this.entries.slice(-Math.floor(this.capacity * 0.9));
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  clear(): void {
    this.entries = [];
  }
}
