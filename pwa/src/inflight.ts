// One user action at a time: while an action's request is in flight its control is disabled, and
// a second tap that slips in before the re-render (a double tap) does nothing.
import { useCallback, useRef, useState } from "preact/hooks";

/** `[busy, run]`: `run(work)` starts `work` unless the last one is still running (then it
 * resolves to undefined without calling it); `busy` is for the control's `disabled`. */
export function useInFlight(): [boolean, <T>(work: () => Promise<T>) => Promise<T | undefined>] {
  const flying = useRef(false);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    if (flying.current) return undefined;
    flying.current = true;
    setBusy(true);
    try {
      return await work();
    } finally {
      flying.current = false;
      setBusy(false);
    }
  }, []);
  return [busy, run];
}
