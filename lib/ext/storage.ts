// A small key-value area: what the settings, contacts and name-cache modules keep their
// data in. In the extension it is `storage.local` (lib/ext/browser-storage.ts); in tests
// and anywhere else, the in-memory one below. Values must survive structured cloning.

export interface KeyValueArea {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

// Like storage.local, hands out copies: a caller that mutates what it read changes nothing.
export function memoryArea(initial: Record<string, unknown> = {}): KeyValueArea & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>(Object.entries(initial));
  return {
    data,
    async get(key) {
      return data.has(key) ? structuredClone(data.get(key)) : undefined;
    },
    async set(key, value) {
      data.set(key, structuredClone(value));
    },
  };
}

// Runs read-modify-write steps on one area one after another, so two quick saves from
// the same page cannot lose each other's change.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.tail.then(step, step);
    this.tail = next.catch(() => {});
    return next;
  }
}
