import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, Failure, FieldError, FormError, Skeleton, TopBar } from "../components";
import { type FieldErrors, useFormErrors } from "../forms";
import { formatDate, t } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { toast } from "../store";

export function SurveyScreen({ id }: { id: string }) {
  const surveys = useLoad(() => api.get("/api/v1/surveys"), []);
  const [answers, setAnswers] = useState<Record<string, number | string>>({});
  const [busy, run] = useInFlight();
  const form = useFormErrors("survey-form");
  const survey = surveys.data?.find((s) => s.id === id);
  if (surveys.error && !surveys.data) return <Failure error={surveys.error} retry={surveys.reload} />;

  async function submit(event: Event) {
    event.preventDefault();
    if (!survey) return;
    const missing: FieldErrors = {};
    for (const q of survey.questions)
      if (q.kind === "scale" && answers[q.id] === undefined) missing[q.id] = t("surveyScreen.pickNumber");
    if (!form.passes(missing)) return;
    await run(async () => {
      try {
        const answer = await api.post("/api/v1/surveys/{survey_id}/responses", {
          path: { survey_id: id },
          body: { answers },
        });
        toast(
          answer.pointsWhenClosed
            ? t("surveyScreen.thanksPoints", { points: answer.pointsWhenClosed })
            : t("surveyScreen.thanks"),
          "celebrate",
        );
        navigate("/");
      } catch (failure) {
        form.fail(
          failure,
          t("surveyScreen.couldNotSend"),
          survey.questions.map((q) => q.id),
        );
      }
    });
  }

  return (
    <main class="screen with-action">
      <TopBar title={t("surveyScreen.title")} back="/" />
      {!surveys.data ? (
        <Skeleton />
      ) : !survey || survey.answered ? (
        <Empty text={survey ? t("surveyScreen.alreadyAnswered") : t("surveyScreen.closed")} />
      ) : (
        <form class="stack" id={form.formId} onSubmit={submit} noValidate>
          <h2 class="card-title">{survey.title}</h2>
          {survey.intro && <p class="muted">{survey.intro}</p>}
          <p class="muted small">
            {t("surveyScreen.anonymous")}
            {survey.points > 0 &&
              ` ${t("surveyScreen.pointsArrive", { points: survey.points, date: formatDate(survey.closesAt, {}) })}`}
          </p>
          {survey.questions.map((q) =>
            q.kind === "scale" ? (
              <fieldset class="scale" key={q.id}>
                <legend>{q.text}</legend>
                <div class="row">
                  {[1, 2, 3, 4, 5].map((n, i) => (
                    <label class={`scale-choice ${answers[q.id] === n ? "chosen" : ""}`}>
                      <input
                        type="radio"
                        name={q.id}
                        value={String(n)}
                        required
                        checked={answers[q.id] === n}
                        onChange={() => {
                          setAnswers({ ...answers, [q.id]: n });
                          form.clear(q.id);
                        }}
                        {...(i === 0 ? form.field(q.id) : {})}
                      />
                      {n}
                    </label>
                  ))}
                </div>
                <p class="muted small row between">
                  <span>{t("surveyScreen.scaleLow")}</span>
                  <span>{t("surveyScreen.scaleHigh")}</span>
                </p>
                <FieldError form={form} name={q.id} />
              </fieldset>
            ) : (
              <div class="stack-tight" key={q.id}>
                <label>
                  {/* an admin may already have written "(optional)" in the question */}
                  {/\boptional\b/i.test(q.text) ? q.text : t("surveyScreen.optional", { question: q.text })}
                  <textarea
                    rows={3}
                    maxLength={1000}
                    value={String(answers[q.id] ?? "")}
                    onInput={(e) => setAnswers({ ...answers, [q.id]: e.currentTarget.value })}
                    {...form.field(q.id)}
                  />
                </label>
                <FieldError form={form} name={q.id} />
              </div>
            ),
          )}
          <FormError error={form.errors.form} />
          <button class="button primary sticky-action" type="submit" disabled={busy}>
            {survey.points ? t("surveyScreen.sendPoints", { points: survey.points }) : t("surveyScreen.send")}
          </button>
        </form>
      )}
    </main>
  );
}
