// Load data for a screen: {data, error, reload}; a reload keeps the old data on screen.
import { useCallback, useEffect, useState } from "preact/hooks";

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
      },
      (failure) => {
        if (live) setError(failure);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]); // the caller's deps, and reload()'s tick
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, reload, setData };
}
