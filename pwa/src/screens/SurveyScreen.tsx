import { useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { toast } from "../store";

export function SurveyScreen({ id }: { id: string }) {
  const surveys = useLoad(() => api.get("/api/v1/surveys"), []);
  const [answers, setAnswers] = useState<Record<string, number | string>>({});
  const [busy, run] = useInFlight();
  const survey = surveys.data?.find((s) => s.id === id);
  if (surveys.error && !surveys.data) return <Failure error={surveys.error} retry={surveys.reload} />;

  async function submit(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        const answer = await api.post("/api/v1/surveys/{survey_id}/responses", {
          path: { survey_id: id },
          body: { answers },
        });
        toast(
          answer.pointsWhenClosed
            ? `Thank you! +${answer.pointsWhenClosed} points when the survey closes`
            : "Thank you!",
          "celebrate",
        );
        navigate("/");
      } catch (failure) {
        toastFailure(failure, "Could not send.");
      }
    });
  }

  return (
    <main class="screen with-action">
      <TopBar title="Quick pulse" back="/" />
      {!surveys.data ? (
        <Skeleton />
      ) : !survey || survey.answered ? (
        <Empty text={survey ? "You already answered — thank you!" : "This survey is closed."} />
      ) : (
        <form class="stack" onSubmit={submit}>
          <h2 class="card-title">{survey.title}</h2>
          {survey.intro && <p class="muted">{survey.intro}</p>}
          <p class="muted small">
            Anonymous: your answers are only ever shown combined with at least four others, after the survey closes.
            {survey.points > 0 &&
              ` Your ${survey.points} points arrive when it closes (${new Date(survey.closesAt).toLocaleDateString()}), with everyone's at once.`}
          </p>
          {survey.questions.map((q) =>
            q.kind === "scale" ? (
              <fieldset class="scale" key={q.id}>
                <legend>{q.text}</legend>
                <div class="row">
                  {[1, 2, 3, 4, 5].map((n) => (
                    <label class={`scale-choice ${answers[q.id] === n ? "chosen" : ""}`}>
                      <input
                        type="radio"
                        name={q.id}
                        value={String(n)}
                        required
                        checked={answers[q.id] === n}
                        onChange={() => setAnswers({ ...answers, [q.id]: n })}
                      />
                      {n}
                    </label>
                  ))}
                </div>
                <p class="muted small row between">
                  <span>1 — not at all</span>
                  <span>5 — absolutely</span>
                </p>
              </fieldset>
            ) : (
              <label key={q.id}>
                {q.text} (optional)
                <textarea
                  rows={3}
                  maxLength={1000}
                  value={String(answers[q.id] ?? "")}
                  onInput={(e) => setAnswers({ ...answers, [q.id]: e.currentTarget.value })}
                />
              </label>
            ),
          )}
          <button class="button primary sticky-action" type="submit" disabled={busy}>
            {survey.points ? `Send (+${survey.points} points)` : "Send"}
          </button>
        </form>
      )}
    </main>
  );
}
