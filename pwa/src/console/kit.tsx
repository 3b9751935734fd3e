// The console's building blocks at company scale: a confirmation dialog for destructive
// actions, keyset-paged lists with search and filters, and sortable table headers.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { locale, t } from "../i18n";
import { createStore, useStore } from "../store";

/** One page of a keyset-paged list. */
export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

/**
 * A keyset-paged list: the first page whenever `key` (the query and filters) changes, then
 * "Load more" appends the next page from `nextCursor`. A stale answer (the query changed while
 * it was on its way) is dropped.
 */
export function usePages<T>(load: (cursor: string | null) => Promise<Page<T>>, key: string) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  const current = useRef("");
  const run = (from: string | null, append: boolean) => {
    const ticket = `${key}#${tick}#${from ?? ""}`;
    current.current = ticket;
    setLoading(true);
    load(from).then(
      (page) => {
        if (current.current !== ticket) return;
        setItems((old) => (append && old ? [...old, ...page.items] : page.items));
        setCursor(page.nextCursor ?? null);
        setError(null);
        setLoading(false);
      },
      (failure) => {
        if (current.current !== ticket) return;
        setError(failure);
        setLoading(false);
      },
    );
  };
  useEffect(() => run(null, false), [key, tick]);
  return {
    items,
    error,
    loading,
    hasMore: cursor !== null,
    more: () => cursor && run(cursor, true),
    reload: () => setTick((t) => t + 1),
    setItems,
  };
}

/** A value that follows its input after the typing stops (search boxes). */
export function useDebounced<T>(value: T, ms = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

export type SortDir = "ascending" | "descending";
export interface Sort<K extends string> {
  key: K;
  dir: SortDir;
}

/** Rows sorted by one column; text compares as people read it, numbers as numbers. */
export function sortRows<T, K extends string>(rows: T[], sort: Sort<K>, value: (row: T, key: K) => unknown): T[] {
  const sign = sort.dir === "ascending" ? 1 : -1;
  const collator = new Intl.Collator(locale.get(), { numeric: true, sensitivity: "base" });
  return [...rows].sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    if (typeof x === "number" && typeof y === "number") return (x - y) * sign;
    return collator.compare(String(x ?? ""), String(y ?? "")) * sign;
  });
}

/** A column header that sorts the table; its state is read out through aria-sort. */
export function SortHeader<K extends string>({
  label,
  column,
  sort,
  setSort,
}: {
  label: string;
  column: K;
  sort: Sort<K>;
  setSort: (sort: Sort<K>) => void;
}) {
  const on = sort.key === column;
  return (
    <th scope="col" aria-sort={on ? sort.dir : "none"}>
      <button
        type="button"
        class="sort"
        onClick={() => setSort({ key: column, dir: on && sort.dir === "ascending" ? "descending" : "ascending" })}
      >
        {label}
        <span aria-hidden="true">{on ? (sort.dir === "ascending" ? " ▲" : " ▼") : ""}</span>
      </button>
    </th>
  );
}

/** What a paged table lists: each has its own sentence ("12 people shown"). */
export type RowNoun = "people" | "rewards" | "redemptions" | "raffles" | "challenges" | "shares";

function shownText(noun: RowNoun, count: number): string {
  switch (noun) {
    case "people":
      return t("consoleKit.shownPeople", { count });
    case "rewards":
      return t("consoleKit.shownRewards", { count });
    case "redemptions":
      return t("consoleKit.shownRedemptions", { count });
    case "raffles":
      return t("consoleKit.shownRaffles", { count });
    case "challenges":
      return t("consoleKit.shownChallenges", { count });
    case "shares":
      return t("consoleKit.shownShares", { count });
  }
}

/** The line under a paged table: how many are shown, and the next page. */
export function MoreRows({
  shown,
  hasMore,
  loading,
  more,
  noun,
}: {
  shown: number;
  hasMore: boolean;
  loading: boolean;
  more: () => void;
  noun: RowNoun;
}) {
  const text = shownText(noun, shown);
  return (
    <div class="row between table-foot">
      <p class="muted small" role="status">
        {hasMore ? text : t("consoleKit.shownAll", { shown: text })}
      </p>
      {hasMore && (
        <button type="button" class="button secondary compact" disabled={loading} onClick={more}>
          {loading ? t("consoleKit.loading") : t("consoleKit.loadMore")}
        </button>
      )}
    </div>
  );
}

// ---- Confirmation before a destructive action -------------------------------------------

export interface ConfirmRequest {
  title: string;
  body: ComponentChildren;
  confirmLabel: string;
  /** The action destroys something: the confirm button says so in red. */
  danger?: boolean;
}

const pending = createStore<(ConfirmRequest & { answer: (yes: boolean) => void }) | null>(null);

/** Ask before doing something that cannot (easily) be undone: resolves true on confirm. */
export function confirmAction(request: ConfirmRequest): Promise<boolean> {
  pending.get()?.answer(false);
  return new Promise((resolve) =>
    pending.set({
      ...request,
      answer: (yes) => {
        pending.set(null);
        resolve(yes);
      },
    }),
  );
}

/** Where confirmAction's dialog appears: once, in the console layout. */
export function ConfirmHost() {
  const request = useStore(pending);
  if (!request) return null;
  return (
    <ConfirmDialog
      title={request.title}
      confirmLabel={request.confirmLabel}
      danger={request.danger}
      onConfirm={() => request.answer(true)}
      onCancel={() => request.answer(false)}
    >
      {request.body}
    </ConfirmDialog>
  );
}

/**
 * A modal confirmation on the native <dialog>: the page behind is inert, Tab stays inside,
 * Escape (or Cancel) cancels, focus starts on Cancel (the safe choice) and returns to where it
 * was when the dialog closes.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger = true,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const box = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = box.current;
    if (!dialog) return;
    const before = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    cancel.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      before?.focus?.();
    };
  }, []);
  function trap(event: KeyboardEvent) {
    if (event.key !== "Tab" || !box.current) return;
    const focusable = box.current.querySelectorAll<HTMLElement>("button:not([disabled])");
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }
  return (
    <dialog
      ref={box}
      class="confirm card"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onKeyDown={trap}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id="confirm-title" class="card-title">
        {title}
      </h2>
      <div id="confirm-body" class="muted">
        {children}
      </div>
      <div class="row confirm-actions">
        <button ref={cancel} type="button" class="button secondary" onClick={onCancel}>
          {t("consoleKit.cancel")}
        </button>
        <button type="button" class={`button ${danger ? "destroy" : "primary"}`} onClick={onConfirm}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
