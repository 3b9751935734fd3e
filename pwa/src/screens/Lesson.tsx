// A lesson: its sections as cards to read, then its quiz. `LessonView` only shows (the console's
// editor previews with it); `LessonChallenge` answers the quiz through the API.
import { useRef, useState } from "preact/hooks";
import { api, failureText, type Schemas } from "../api";
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
        Quiz
      </h3>
      <p class="muted small">
        {lesson.quiz.length} {lesson.quiz.length === 1 ? "question" : "questions"} · {lesson.passMark}% to pass · try as
        often as you like
      </p>
      {lesson.quiz.map((q, i) => (
        <fieldset class="quiz-question" key={i} id={`${name}-question-${i}`}>
          <legend>
            {i + 1}. {q.question || "(a question)"}
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
              <span>{option || "(an option)"}</span>
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
      <ol class="lesson-sections" aria-label="The lesson">
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
                {section.heading || "(a heading)"}
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
            {busy ? "Checking…" : "Check my answers"}
          </button>
        </form>
      )}
    </div>
  );
}

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
      setProblem(`Choose an answer for question ${missing + 1} first.`);
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
        setProblem(failureText(failure, "Could not check your answers."));
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
          {result.passed ? "Passed" : "Not passed yet"}
        </span>{" "}
        <strong data-testid="quiz-score">{result.score}%</strong>{" "}
        {result.passed ? "— you passed!" : `— ${result.passMark}% passes.`}
      </p>
      {result.passed && result.pointsAwarded > 0 && (
        <p class="celebrate-points">
          <strong>+{result.pointsAwarded} points</strong> — well learned!
        </p>
      )}
      {result.passed && result.pointsAwarded === 0 && (
        <p>You had already passed this lesson: its points are yours already.</p>
      )}
      {!result.passed && (
        <>
          <p>Read the cards above once more, then try again: only your first pass counts.</p>
          <button type="button" class="button secondary" onClick={again}>
            Try again
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
            <span class="chip status-verified">Passed</span> You passed this lesson
            {mine?.bestScore != null ? ` (best score ${mine.bestScore}%)` : ""}.
          </p>
          <p class="muted">You can still take the quiz again to practise.</p>
        </section>
      )}
      <LessonView lesson={lesson} answers={answers} onAnswer={answer} onSubmit={submit} busy={busy} outcome={outcome} />
    </div>
  );
}
