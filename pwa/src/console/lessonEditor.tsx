// The challenge editor's lesson mode: sections and quiz questions to add, remove and reorder,
// the right answer marked per question, the pass mark; beside it, the lesson as the app shows it.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Schemas } from "../api";
import { t, tRich } from "../i18n";
import { type Answers, LessonView } from "../screens/Lesson";
import { Field } from "./ui";

export type LessonSection = { heading: string; body: string; imageUrl: string };
export type LessonQuestion = { question: string; options: string[]; answer: number };
export interface LessonDraft {
  sections: LessonSection[];
  quiz: LessonQuestion[];
  passMark: number;
}

const MAX_SECTIONS = 20;
const MAX_QUESTIONS = 20;
const MIN_OPTIONS = 2;
const MAX_OPTIONS = 6;

export function blankLesson(): LessonDraft {
  return {
    sections: [{ heading: "", body: "", imageUrl: "" }],
    quiz: [{ question: "", options: ["", ""], answer: 0 }],
    passMark: 80,
  };
}

/** The lesson as the admin routes answer it (answers included), as a draft to edit. */
export function draftFrom(lesson: Schemas["LessonEdit"] | null | undefined): LessonDraft {
  if (!lesson) return blankLesson();
  return {
    sections: lesson.sections.map((s) => ({ heading: s.heading, body: s.body, imageUrl: s.imageUrl ?? "" })),
    quiz: lesson.quiz.map((q) => ({ question: q.question, options: [...q.options], answer: q.answer })),
    passMark: lesson.passMark,
  };
}

/** What the API takes: an empty image link is no image. */
export function lessonBody(draft: LessonDraft) {
  return {
    sections: draft.sections.map((s) => ({
      heading: s.heading,
      body: s.body,
      imageUrl: s.imageUrl.trim() || null,
    })),
    quiz: draft.quiz.map((q) => ({ question: q.question, options: q.options, answer: q.answer })),
    passMark: Number(draft.passMark),
  };
}

function move<T>(items: T[], from: number, to: number): T[] {
  if (to < 0 || to >= items.length) return items;
  const copy = [...items];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item);
  return copy;
}

const hidden = (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>;

function Reorder({
  what,
  index,
  count,
  onMove,
  onRemove,
  min = 1,
}: {
  what: string;
  index: number;
  count: number;
  onMove: (to: number) => void;
  onRemove: () => void;
  min?: number;
}) {
  return (
    <span class="cell-actions">
      <button type="button" class="button secondary compact" disabled={index === 0} onClick={() => onMove(index - 1)}>
        {tRich("consoleLessonEditor.up", { what, hidden })}
      </button>
      <button
        type="button"
        class="button secondary compact"
        disabled={index === count - 1}
        onClick={() => onMove(index + 1)}
      >
        {tRich("consoleLessonEditor.down", { what, hidden })}
      </button>
      <button type="button" class="button danger compact" disabled={count <= min} onClick={onRemove}>
        {tRich("consoleLessonEditor.remove", { what, hidden })}
      </button>
    </span>
  );
}

export function LessonEditor({
  draft,
  onChange,
  quizLocked,
  archived,
}: {
  draft: LessonDraft;
  onChange: (draft: LessonDraft) => void;
  /** Published: the text may be fixed, the quiz people may have passed may not change. */
  quizLocked: boolean;
  archived: boolean;
}) {
  const [tried, setTried] = useState<Answers>([]);
  const set = (patch: Partial<LessonDraft>) => onChange({ ...draft, ...patch });
  const setSection = (i: number, patch: Partial<LessonSection>) =>
    set({ sections: draft.sections.map((s, k) => (k === i ? { ...s, ...patch } : s)) });
  const setQuestion = (i: number, patch: Partial<LessonQuestion>) =>
    set({ quiz: draft.quiz.map((q, k) => (k === i ? { ...q, ...patch } : q)) });
  const quizOff = quizLocked || archived;
  const preview = {
    sections: draft.sections.map((s) => ({ heading: s.heading, body: s.body, imageUrl: s.imageUrl.trim() || null })),
    quiz: draft.quiz.map((q) => ({ question: q.question, options: q.options })),
    passMark: Number(draft.passMark),
  };
  return (
    <div class="lesson-editor">
      <div class="stack">
        <fieldset class="stack" disabled={archived}>
          <legend>
            {t("consoleLessonEditor.sectionsLegend", { count: draft.sections.length, max: MAX_SECTIONS })}
          </legend>
          {draft.sections.map((section, i) => (
            <div class="card item" key={i} data-testid={`section-${i}`}>
              <div class="row between">
                <strong>{t("consoleLessonEditor.sectionTitle", { number: i + 1 })}</strong>
                <Reorder
                  what={t("consoleLessonEditor.sectionWhat", { number: i + 1 })}
                  index={i}
                  count={draft.sections.length}
                  onMove={(to) => set({ sections: move(draft.sections, i, to) })}
                  onRemove={() => set({ sections: draft.sections.filter((_, k) => k !== i) })}
                />
              </div>
              <Field label={t("consoleLessonEditor.heading")}>
                <input
                  required
                  maxLength={140}
                  value={section.heading}
                  onInput={(e) => setSection(i, { heading: e.currentTarget.value })}
                />
              </Field>
              <Field label={t("consoleLessonEditor.text")}>
                <textarea
                  rows={5}
                  required
                  maxLength={4000}
                  value={section.body}
                  onInput={(e) => setSection(i, { body: e.currentTarget.value })}
                />
              </Field>
              <Field label={t("consoleLessonEditor.imageLink")}>
                <input
                  type="url"
                  maxLength={2048}
                  value={section.imageUrl}
                  onInput={(e) => setSection(i, { imageUrl: e.currentTarget.value })}
                />
              </Field>
            </div>
          ))}
          <button
            type="button"
            class="button secondary"
            disabled={draft.sections.length >= MAX_SECTIONS}
            onClick={() => set({ sections: [...draft.sections, { heading: "", body: "", imageUrl: "" }] })}
          >
            {t("consoleLessonEditor.addSection")}
          </button>
        </fieldset>
        <fieldset class="stack" disabled={quizOff}>
          <legend>
            {t("consoleLessonEditor.quizLegend", {
              count: draft.quiz.length,
              max: MAX_QUESTIONS,
              locked: quizLocked ? "yes" : "no",
            })}
          </legend>
          {draft.quiz.map((q, i) => (
            <div class="card item" key={i} data-testid={`question-${i}`}>
              <div class="row between">
                <strong>{t("consoleLessonEditor.questionTitle", { number: i + 1 })}</strong>
                <Reorder
                  what={t("consoleLessonEditor.questionWhat", { number: i + 1 })}
                  index={i}
                  count={draft.quiz.length}
                  onMove={(to) => set({ quiz: move(draft.quiz, i, to) })}
                  onRemove={() => set({ quiz: draft.quiz.filter((_, k) => k !== i) })}
                />
              </div>
              <Field label={t("consoleLessonEditor.question")}>
                <input
                  required
                  maxLength={300}
                  value={q.question}
                  onInput={(e) => setQuestion(i, { question: e.currentTarget.value })}
                />
              </Field>
              <fieldset class="stack-tight">
                <legend>{t("consoleLessonEditor.optionsLegend")}</legend>
                {q.options.map((option, k) => (
                  <div class="row" key={k}>
                    <label class="row">
                      <input
                        type="radio"
                        name={`right-${i}`}
                        checked={q.answer === k}
                        onChange={() => setQuestion(i, { answer: k })}
                      />
                      <span class="visually-hidden">
                        {t("consoleLessonEditor.rightAnswer", { option: k + 1, question: i + 1 })}
                      </span>
                    </label>
                    <input
                      class="grow"
                      aria-label={t("consoleLessonEditor.optionLabel", { option: k + 1, question: i + 1 })}
                      required
                      maxLength={200}
                      value={option}
                      onInput={(e) =>
                        setQuestion(i, { options: q.options.map((o, n) => (n === k ? e.currentTarget.value : o)) })
                      }
                    />
                    <button
                      type="button"
                      class="button secondary compact"
                      disabled={q.options.length <= MIN_OPTIONS}
                      onClick={() =>
                        setQuestion(i, {
                          options: q.options.filter((_, n) => n !== k),
                          answer: q.answer === k ? 0 : q.answer > k ? q.answer - 1 : q.answer,
                        })
                      }
                    >
                      {tRich("consoleLessonEditor.removeOption", { option: k + 1, hidden })}
                    </button>
                  </div>
                ))}
                <button
                  type="button"
                  class="linkish"
                  disabled={q.options.length >= MAX_OPTIONS}
                  onClick={() => setQuestion(i, { options: [...q.options, ""] })}
                >
                  {tRich("consoleLessonEditor.addOption", { question: i + 1, hidden })}
                </button>
              </fieldset>
            </div>
          ))}
          <button
            type="button"
            class="button secondary"
            disabled={draft.quiz.length >= MAX_QUESTIONS}
            onClick={() => set({ quiz: [...draft.quiz, { question: "", options: ["", ""], answer: 0 }] })}
          >
            {t("consoleLessonEditor.addQuestion")}
          </button>
          <Field label={t("consoleLessonEditor.passMark")}>
            <input
              type="number"
              min={0}
              max={100}
              value={draft.passMark}
              onInput={(e) => set({ passMark: Number(e.currentTarget.value) })}
            />
          </Field>
        </fieldset>
      </div>
      <section class="lesson-preview" aria-label={t("consoleLessonEditor.previewLabel")}>
        <h3 class="small-title">{t("consoleLessonEditor.previewTitle")}</h3>
        <LessonView
          lesson={preview}
          answers={draft.quiz.map((_, i) => tried[i] ?? null)}
          onAnswer={(i, k) => setTried((was) => draft.quiz.map((_, n) => (n === i ? k : (was[n] ?? null))))}
          preview
          name="preview"
        />
      </section>
    </div>
  );
}
