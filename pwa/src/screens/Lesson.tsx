// A lesson: its sections as cards to read, then its quiz. `LessonView` only shows (the console's
// editor previews with it); `LessonChallenge` answers the quiz through the API.
import { useRef, useState } from "preact/hooks";
import { api, failureText, type Schemas } from "../api";
import { t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import "./lesson.css";

export type LessonContent = Schemas["LessonRead"];
type Result = Schemas["QuizResult"];
/** One answer per question: the option's index, or null while unanswered. */
export type Answers = (number | null)[];

interface ViewProps {
  lesson: LessonContent;
  answers: Answers;
  onAnswer?: (question: number, option: number) => void;
  onSubmit?: () => void;
  busy?: boolean;
  /** A preview: nothing to send. */
  preview?: boolean;
  /** What the last attempt said (or why it could not be sent), read out when it changes. */
  outcome?: preact.ComponentChildren;
  /** A prefix for the radio groups' names, so two views on one page stay apart. */
  name?: string;
}

export function LessonView({ lesson, answers, onAnswer, onSubmit, busy, preview, outcome, name = "q" }: ViewProps) {
  const quiz = (
    <>
      <h3 id={`${name}-quiz-title`} class="lesson-heading">
        {t("lesson.quiz")}
      </h3>
      <p class="muted small">{t("lesson.quizRules", { count: lesson.quiz.length, passMark: lesson.passMark })}</p>
      {lesson.quiz.map((q, i) => (
        <fieldset class="quiz-question" key={i} id={`${name}-question-${i}`}>
          <legend>
            {i + 1}. {q.question || t("lesson.noQuestion")}
          </legend>
          {q.options.map((option, k) => (
            <label class={`quiz-option ${answers[i] === k ? "chosen" : ""}`} key={k}>
              <input
                type="radio"
                name={`${name}-${i}`}
                value={String(k)}
                checked={answers[i] === k}
                onChange={() => onAnswer?.(i, k)}
              />
              <span>{option || t("lesson.noOption")}</span>
            </label>
          ))}
        </fieldset>
      ))}
      <div class="quiz-outcome" role="status" aria-live="polite">
        {outcome}
      </div>
    </>
  );
  return (
    <div class="lesson">
      <ol class="lesson-sections" aria-label={t("lesson.sectionsLabel")}>
        {lesson.sections.map((section, i) => (
          <li class="card lesson-section" key={i}>
            {section.imageUrl && (
              <img class="lesson-image" src={section.imageUrl} alt="" loading="lazy" referrerpolicy="no-referrer" />
            )}
            <div class="card-body">
              <h3 class="lesson-heading">
                <span class="step-number" aria-hidden="true">
                  {i + 1}
                </span>
                {section.heading || t("lesson.noHeading")}
              </h3>
              <p class="prewrap">{section.body}</p>
            </div>
          </li>
        ))}
      </ol>
      {preview ? (
        // inside the console's own form: no form of its own
        <section class="card quiz" aria-labelledby={`${name}-quiz-title`}>
          {quiz}
        </section>
      ) : (
        <form
          class="card quiz"
          aria-labelledby={`${name}-quiz-title`}
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            onSubmit?.();
          }}
        >
          {quiz}
          <button class="button primary" type="submit" disabled={busy}>
            {busy ? t("lesson.checking") : t("lesson.checkAnswers")}
          </button>
        </form>
      )}
    </div>
  );
}

/** The score in the quiz's outcome, in bold (the browser tests find it by its test id). */
const scoreTag = (chunks: string[]) => <strong data-testid="quiz-score">{chunks}</strong>;

interface ChallengeProps {
  challenge: Schemas["ChallengeRead"];
  /** The points moment of a verified share, on a paying pass. */
  onPaid: (points: number) => void;
  /** After any attempt: the person's points and the card's status may have moved. */
  onAttempt: () => void;
}

export function LessonChallenge({ challenge, onPaid, onAttempt }: ChallengeProps) {
  const lesson = challenge.lesson!;
  const [answers, setAnswers] = useState<Answers>(() => lesson.quiz.map(() => null));
  const [result, setResult] = useState<Result | null>(null);
  const [problem, setProblem] = useState("");
  const [busy, run] = useInFlight();
  const top = useRef<HTMLDivElement>(null);
  const mine = challenge.myLesson;
  const passedBefore = Boolean(mine?.passed);

  function answer(question: number, option: number) {
    setAnswers((current) => current.map((a, i) => (i === question ? option : a)));
    setProblem("");
    setResult(null); // a changed answer is a new attempt
  }

  async function submit() {
    const missing = answers.indexOf(null);
    if (missing >= 0) {
      setProblem(t("lesson.chooseAnswer", { number: missing + 1 }));
      document.querySelector<HTMLInputElement>(`#q-question-${missing} input`)?.focus();
      return;
    }
    await run(async () => {
      try {
        const got = await api.post("/api/v1/challenges/{challenge_id}/quiz", {
          path: { challenge_id: challenge.id },
          body: { answers: answers as number[] },
        });
        setResult(got);
        setProblem("");
        if (got.pointsAwarded > 0) onPaid(got.pointsAwarded);
        onAttempt();
      } catch (failure) {
        setProblem(failureText(failure, t("lesson.checkFailed")));
      }
    });
  }

  function again() {
    setResult(null);
    setAnswers(lesson.quiz.map(() => null));
    top.current?.scrollIntoView({ behavior: "smooth", block: "start" });
    document.querySelector<HTMLInputElement>("#q-question-0 input")?.focus({ preventScroll: true });
  }

  const outcome = problem ? (
    <p class="error">{problem}</p>
  ) : result ? (
    <section class={`status-card quiz-result ${result.passed ? "verified" : "rejected"}`} data-passed={result.passed}>
      <p>
        <span class={`chip status-${result.passed ? "verified" : "rejected"}`}>
          {result.passed ? t("lesson.passed") : t("lesson.notPassed")}
        </span>{" "}
        {result.passed
          ? tRich("lesson.scorePassed", { score: result.score, strong: scoreTag })
          : tRich("lesson.scoreFailed", { score: result.score, passMark: result.passMark, strong: scoreTag })}
      </p>
      {result.passed && result.pointsAwarded > 0 && (
        <p class="celebrate-points">
          {tRich("lesson.pointsEarned", {
            points: result.pointsAwarded,
            strong: (chunks: string[]) => <strong>{chunks}</strong>,
          })}
        </p>
      )}
      {result.passed && result.pointsAwarded === 0 && <p>{t("lesson.alreadyPaid")}</p>}
      {!result.passed && (
        <>
          <p>{t("lesson.readAgain")}</p>
          <button type="button" class="button secondary" onClick={again}>
            {t("lesson.tryAgain")}
          </button>
        </>
      )}
    </section>
  ) : null;

  return (
    <div ref={top} class="stack">
      {passedBefore && !result && (
        <section class="card status-card verified" data-status="verified">
          <p>
            <span class="chip status-verified">{t("lesson.passed")}</span>{" "}
            {mine?.bestScore != null
              ? t("lesson.passedBeforeScore", { score: mine.bestScore })
              : t("lesson.passedBefore")}
          </p>
          <p class="muted">{t("lesson.practise")}</p>
        </section>
      )}
      <LessonView lesson={lesson} answers={answers} onAnswer={answer} onSubmit={submit} busy={busy} outcome={outcome} />
    </div>
  );
}
