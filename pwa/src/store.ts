// A tiny observable store: the app's few pieces of shared state, with a hook to read them.
import { useEffect, useState } from "preact/hooks";

export interface Store<T> {
  get(): T;
  set(value: T): void;
  subscribe(listener: (value: T) => void): () => void;
}

export function createStore<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<(value: T) => void>();
  return {
    get: () => value,
    set(next) {
      if (Object.is(next, value)) return;
      value = next;
      for (const listener of listeners) listener(value);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState(store.get());
  useEffect(() => {
    setValue(store.get());
    return store.subscribe(setValue);
  }, [store]);
  return value;
}

/** Set when an answer came from the offline cache: the time of the data shown, else null. */
export const staleSince = createStore<Date | null>(null);
/** The browser's own idea of connectivity. */
export const online = createStore<boolean>(typeof navigator === "undefined" || navigator.onLine);

export interface Toast {
  id: number;
  text: string;
  tone: "info" | "success" | "error" | "celebrate";
}
export const toasts = createStore<Toast[]>([]);
let toastIds = 0;

export function toast(text: string, tone: Toast["tone"] = "info", ms = 4000): void {
  const item = { id: ++toastIds, text, tone };
  toasts.set([...toasts.get(), item]);
  setTimeout(() => toasts.set(toasts.get().filter((t) => t.id !== item.id)), ms);
}
