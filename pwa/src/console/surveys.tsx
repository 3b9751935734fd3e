// Pulse surveys: create one in a minute (and edit it while nobody answered; after that only its
// end, later), read the answers only in aggregate, and only once the
// survey has closed: while it runs the admin sees how many were asked, never how many answered.
import { type ComponentChildren, Fragment } from "preact";
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Empty, Failure, FieldError, FormError, Skeleton, StatusChip, TopBar } from "../components";
import { useFormErrors } from "../forms";
import { formatDate, formatNumber, t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { confirmAction } from "./kit";
import { Field, Section } from "./ui";

type NewQuestion = Schemas["QuestionCreate"];
type Survey = Schemas["SurveyRead"];
type Detail = Schemas["SurveyDetail"];

const THRESHOLD = 5; // the server's ANONYMITY_THRESHOLD: results show from this many answers on

function day(at: string): string {
  return formatDate(at, { year: "numeric", month: "numeric", day: "numeric" });
}

/** The visually hidden rest of a button's name (the survey it acts on). */
const hidden = (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>;

/** What an admin may know of a survey before its results: who was asked, and when it closes. */
function surveyLine(s: Pick<Survey, "status" | "invited" | "opensAt" | "closesAt" | "closedAt">): string {
  if (s.status === "closed")
    return t("consoleSurveys.lineClosed", { invited: s.invited, date: day(s.closedAt ?? s.closesAt) });
  if (s.status === "scheduled") return t("consoleSurveys.lineScheduled", { invited: s.invited, date: day(s.opensAt) });
  return t("consoleSurveys.lineOpen", { invited: s.invited, date: day(s.closesAt) });
}

/** Ask before closing a survey. */
function confirmClose(s: Pick<Survey, "title">): Promise<boolean> {
  return confirmAction({
    title: t("consoleSurveys.closeTitle", { title: s.title }),
    body: t("consoleSurveys.closeBody", { threshold: THRESHOLD }),
    confirmLabel: t("consoleSurveys.closeConfirm"),
    danger: false,
  });
}

/** Close a survey now (once confirmed): true when it closed. */
async function closeSurvey(s: Pick<Survey, "id">): Promise<boolean> {
  try {
    await api.post("/api/v1/admin/surveys/{survey_id}/close", { path: { survey_id: s.id } });
    toast(t("consoleSurveys.closed"), "success");
    return true;
  } catch (failure) {
    toastFailure(failure, t("consoleSurveys.closeFailed"));
    return false;
  }
}

/** Ask before deleting a survey (the server allows it only while nobody answered). */
function confirmDelete(s: Pick<Survey, "title">): Promise<boolean> {
  return confirmAction({
    title: t("consoleSurveys.deleteTitle", { title: s.title }),
    body: t("consoleSurveys.deleteBody"),
    confirmLabel: t("consoleSurveys.deleteConfirm"),
  });
}

/** Delete a survey (once confirmed): true when it went. */
async function deleteSurvey(s: Pick<Survey, "id">): Promise<boolean> {
  try {
    await api.del("/api/v1/admin/surveys/{survey_id}", { path: { survey_id: s.id } });
    toast(t("consoleSurveys.deleted"), "success");
    return true;
  } catch (failure) {
    toastFailure(failure, t("consoleSurveys.deleteFailed"));
    return false;
  }
}

/** Load a survey with whether anyone answered yet (what decides what may still change). */
async function loadForEdit(id: string): Promise<Detail | null> {
  try {
    return await api.get("/api/v1/admin/surveys/{survey_id}", { path: { survey_id: id } });
  } catch (failure) {
    toastFailure(failure, t("consoleSurveys.openFailed"));
    return null;
  }
}

/** A moment as a `datetime-local` input shows it: this device's time, to the minute. */
function localInput(at: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

const FIELDS = ["title", "intro", "questions", "closesAt", "opensAt", "points", "teamIds"] as const;

/** The survey form: a new survey, or `survey` prefilled for editing. Once anyone answered, only
 * its end can move (later), as the server allows. */
export function SurveyForm({
  survey,
  onSaved,
  onCancel,
}: {
  survey?: Detail;
  onSaved: (saved?: Detail) => void;
  onCancel?: () => void;
}) {
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const editing = Boolean(survey);
  const locked = Boolean(survey?.hasAnswers);
  const startEnd = survey ? localInput(new Date(survey.closesAt)) : localInput(new Date(Date.now() + 7 * 86_400_000));
  const [title, setTitle] = useState(survey?.title ?? "");
  const [intro, setIntro] = useState(survey?.intro ?? "");
  const [questions, setQuestions] = useState<NewQuestion[]>(
    survey ? survey.questions.map((q) => ({ text: q.text, kind: q.kind })) : [{ text: "", kind: "scale" }],
  );
  const [closes, setCloses] = useState(startEnd);
  const [points, setPoints] = useState(survey?.points ?? 10);
  const [teamIds, setTeamIds] = useState<string[]>(survey?.teamIds ?? []);
  const form = useFormErrors(survey ? `survey-edit-${survey.id}` : "survey-new");
  const [busy, run] = useInFlight();
  const known = [...FIELDS, ...questions.map((_, i) => `questions[${i}].text`)];

  function closesAt(): string {
    // untouched while editing: the exact end it has (the input keeps only minutes)
    if (survey && closes === startEnd) return survey.closesAt;
    return new Date(closes).toISOString();
  }

  async function save(event: Event) {
    event.preventDefault();
    const end = closes ? new Date(closes) : null;
    const checks: Record<string, string> = {
      // the checks of ../forms, in this file's own words (its sentences are glued from pieces)
      title: !title.trim()
        ? t("consoleSurveys.titleMissing")
        : title.length > 120
          ? t("consoleSurveys.titleTooLong", { count: title.length - 120, max: 120 })
          : "",
      intro: intro.length > 500 ? t("consoleSurveys.introTooLong", { count: intro.length - 500, max: 500 }) : "",
      closesAt:
        !end || Number.isNaN(end.getTime())
          ? t("consoleSurveys.closesMissing")
          : end.getTime() <= Date.now() && closes !== startEnd
            ? t("consoleSurveys.closesPast")
            : locked && survey && closes !== startEnd && end.getTime() < new Date(survey.closesAt).getTime()
              ? t("consoleSurveys.closesEarlier")
              : "",
    };
    questions.forEach((q, i) => {
      checks[`questions[${i}].text`] = !q.text.trim()
        ? t("consoleSurveys.questionMissing", { number: i + 1 })
        : q.text.length > 200
          ? t("consoleSurveys.questionTooLong", { number: i + 1, count: q.text.length - 200, max: 200 })
          : "";
    });
    if (!form.passes(checks)) return;
    const body = { title, intro, questions, points: Number(points), teamIds, closesAt: closesAt() };
    await run(async () => {
      try {
        if (survey) {
          const saved = await api.put("/api/v1/admin/surveys/{survey_id}", { path: { survey_id: survey.id }, body });
          toast(t("consoleSurveys.saved"), "success");
          onSaved(saved);
        } else {
          await api.post("/api/v1/admin/surveys", { body });
          toast(t("consoleSurveys.sent"), "success");
          setTitle("");
          setIntro("");
          setQuestions([{ text: "", kind: "scale" }]);
          form.clear();
          onSaved();
        }
      } catch (failure) {
        form.fail(failure, editing ? t("consoleSurveys.saveFailed") : t("consoleSurveys.createFailed"), known);
      }
    });
  }

  return (
    <form
      class="stack card pad"
      id={form.formId}
      onSubmit={save}
      noValidate
      aria-label={
        editing ? t("consoleSurveys.editFormLabel", { title: survey?.title ?? "" }) : t("consoleSurveys.newSurvey")
      }
    >
      {locked && (
        <p class="note" role="note" id={`${form.formId}-locked`}>
          {t("consoleSurveys.lockedNote")}
        </p>
      )}
      <Field label={t("consoleSurveys.titleLabel")}>
        <input
          required
          maxLength={120}
          disabled={locked}
          value={title}
          onInput={(e) => {
            setTitle(e.currentTarget.value);
            form.clear("title");
          }}
          {...form.field("title")}
        />
      </Field>
      <FieldError form={form} name="title" />
      <Field label={t("consoleSurveys.introLabel")}>
        <input
          maxLength={500}
          disabled={locked}
          value={intro}
          onInput={(e) => {
            setIntro(e.currentTarget.value);
            form.clear("intro");
          }}
          {...form.field("intro")}
        />
      </Field>
      <FieldError form={form} name="intro" />
      {questions.map((q, i) => (
        <Fragment key={i}>
          <div class="row question-row">
            <Field label={t("consoleSurveys.questionLabel", { number: i + 1 })}>
              <input
                required
                maxLength={200}
                disabled={locked}
                value={q.text}
                onInput={(e) => {
                  setQuestions(questions.map((x, j) => (j === i ? { ...x, text: e.currentTarget.value } : x)));
                  form.clear(`questions[${i}].text`);
                }}
                {...form.field(`questions[${i}].text`)}
              />
            </Field>
            <Field label={t("consoleSurveys.answerLabel")}>
              <select
                value={q.kind}
                disabled={locked}
                onChange={(e) =>
                  setQuestions(
                    questions.map((x, j) =>
                      j === i ? { ...x, kind: e.currentTarget.value as NewQuestion["kind"] } : x,
                    ),
                  )
                }
              >
                <option value="scale">{t("consoleSurveys.kindScale")}</option>
                <option value="text">{t("consoleSurveys.kindText")}</option>
              </select>
            </Field>
            {questions.length > 1 && !locked && (
              <button
                type="button"
                class="button secondary compact"
                aria-label={t("consoleSurveys.removeQuestionLabel", { number: i + 1 })}
                onClick={() => setQuestions(questions.filter((_, j) => j !== i))}
              >
                {t("consoleSurveys.removeQuestion")}
              </button>
            )}
          </div>
          <FieldError form={form} name={`questions[${i}].text`} />
        </Fragment>
      ))}
      <FieldError form={form} name="questions" />
      {questions.length < 10 && !locked && (
        <button type="button" class="linkish" onClick={() => setQuestions([...questions, { text: "", kind: "scale" }])}>
          {t("consoleSurveys.addQuestion")}
        </button>
      )}
      <div class="row">
        <Field label={t("consoleSurveys.closesLabel")}>
          <input
            type="datetime-local"
            required
            min={locked ? startEnd : undefined}
            value={closes}
            onInput={(e) => {
              setCloses(e.currentTarget.value);
              form.clear("closesAt");
            }}
            {...form.field("closesAt", locked ? `${form.formId}-locked` : undefined)}
          />
        </Field>
        <Field label={t("consoleSurveys.pointsLabel")}>
          <input
            type="number"
            min={0}
            max={1000}
            disabled={locked}
            value={points}
            onInput={(e) => {
              setPoints(Number(e.currentTarget.value));
              form.clear("points");
            }}
            {...form.field("points")}
          />
        </Field>
      </div>
      <FieldError form={form} name="closesAt" />
      <FieldError form={form} name="opensAt" />
      <FieldError form={form} name="points" />
      <fieldset class="stack" disabled={locked}>
        <legend>{t("consoleSurveys.audience")}</legend>
        <p class="muted small">
          {teamIds.length ? t("consoleSurveys.audienceTeams") : t("consoleSurveys.audienceEveryone")}
        </p>
        {(teams.data?.items ?? []).map((team) => (
          <label class="switch">
            <span>{team.name}</span>
            <input
              type="checkbox"
              checked={teamIds.includes(team.id)}
              onChange={(e) => {
                setTeamIds(e.currentTarget.checked ? [...teamIds, team.id] : teamIds.filter((x) => x !== team.id));
                form.clear("teamIds");
              }}
            />
          </label>
        ))}
      </fieldset>
      <FieldError form={form} name="teamIds" />
      <FormError error={form.errors.form} />
      <div class="row">
        <button class="button primary" type="submit" disabled={busy}>
          {editing ? (busy ? t("consoleSurveys.saving") : t("consoleSurveys.save")) : t("consoleSurveys.send")}
        </button>
        {onCancel && (
          <button class="button secondary" type="button" onClick={onCancel}>
            {t("consoleSurveys.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}

export function SurveysAdmin() {
  const surveys = useLoad(() => api.get("/api/v1/admin/surveys"), []);
  const [editing, setEditing] = useState<Detail | null>(null);
  const [busy, run] = useInFlight();

  async function startEditing(s: Survey) {
    const found = await run(() => loadForEdit(s.id));
    if (!found) return;
    setEditing(found);
    requestAnimationFrame(() => document.getElementById("survey-form")?.scrollIntoView({ block: "start" }));
  }

  return (
    <main class="screen console">
      <TopBar title={t("consoleSurveys.title")} back="/admin" />
      <p class="muted">{t("consoleSurveys.anonymousNote", { threshold: THRESHOLD })}</p>
      {surveys.error && !surveys.data ? (
        <Failure error={surveys.error} retry={surveys.reload} />
      ) : !surveys.data ? (
        <Skeleton />
      ) : surveys.data.length === 0 ? (
        <Empty text={t("consoleSurveys.empty")} />
      ) : (
        <ul class="board">
          {surveys.data.map((s) => (
            <li key={s.id} class="board-row survey-row">
              <a class="who" href={`/admin/surveys/${s.id}`}>
                <span class="name">{s.title}</span>
                <span class="muted small">{surveyLine(s)}</span>
              </a>
              <StatusChip status={s.status} />
              <span class="cell-actions">
                {s.status !== "closed" && (
                  <button
                    type="button"
                    class="button secondary compact"
                    disabled={busy}
                    onClick={() => startEditing(s)}
                  >
                    {tRich("consoleSurveys.editNamed", { title: s.title, hidden })}
                  </button>
                )}
                {s.status !== "closed" && (
                  <button
                    type="button"
                    class="button secondary compact"
                    disabled={busy}
                    onClick={async () =>
                      (await confirmClose(s)) && run(() => closeSurvey(s).then((done) => done && surveys.reload()))
                    }
                  >
                    {tRich("consoleSurveys.closeNamed", { title: s.title, hidden })}
                  </button>
                )}
                <button
                  type="button"
                  class="button danger compact"
                  disabled={busy}
                  onClick={async () =>
                    (await confirmDelete(s)) && run(() => deleteSurvey(s).then((done) => done && surveys.reload()))
                  }
                >
                  {tRich("consoleSurveys.deleteNamed", { title: s.title, hidden })}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      <div id="survey-form">
        <Section
          title={editing ? t("consoleSurveys.editTitle", { title: editing.title }) : t("consoleSurveys.newSurvey")}
        >
          <SurveyForm
            key={editing?.id ?? "new"}
            survey={editing ?? undefined}
            onSaved={() => {
              setEditing(null);
              surveys.reload();
            }}
            onCancel={editing ? () => setEditing(null) : undefined}
          />
        </Section>
      </div>
    </main>
  );
}

export function SurveyResultsScreen({ id }: { id: string }) {
  const results = useLoad(
    () => api.get("/api/v1/admin/surveys/{survey_id}/results", { path: { survey_id: id } }),
    [id],
  );
  const [busy, run] = useInFlight();
  const [editing, setEditing] = useState<Detail | null>(null);
  const r = results.data;

  const startEditing = async () => {
    const found = await run(() => loadForEdit(id));
    if (found) setEditing(found);
  };

  const closeNow = async () =>
    (await confirmClose({ title: r?.title ?? t("consoleSurveys.thisSurvey") })) &&
    run(() => closeSurvey({ id }).then((done) => done && results.reload()));

  return (
    <main class="screen console">
      <TopBar title={t("consoleSurveys.resultsTitle")} back="/admin/surveys" />
      {results.error && !r ? (
        <Failure error={results.error} retry={results.reload} />
      ) : !r ? (
        <Skeleton />
      ) : (
        <>
          <h2 class="card-title">
            {r.title} <StatusChip status={r.status} />
          </h2>
          {r.status !== "closed" && !editing && (
            <button class="button secondary" type="button" disabled={busy} onClick={startEditing}>
              {t("consoleSurveys.editSurvey")}
            </button>
          )}
          {editing && (
            <Section title={t("consoleSurveys.editTitle", { title: editing.title })}>
              <SurveyForm
                survey={editing}
                onSaved={() => {
                  setEditing(null);
                  results.reload();
                }}
                onCancel={() => setEditing(null)}
              />
            </Section>
          )}
          <p class="muted">
            {r.status !== "closed"
              ? t("consoleSurveys.resultsLineOpen", { invited: r.invited })
              : r.shown
                ? t("consoleSurveys.resultsLineAnswers", {
                    invited: r.invited,
                    date: day(r.closedAt ?? r.closesAt),
                    answers: r.responses,
                  })
                : t("consoleSurveys.lineClosed", { invited: r.invited, date: day(r.closedAt ?? r.closesAt) })}
          </p>
          {r.status !== "closed" ? (
            <Empty text={t("consoleSurveys.runningNote", { date: day(r.closesAt) })}>
              <button class="button secondary" type="button" disabled={busy} onClick={closeNow}>
                {t("consoleSurveys.closeNow")}
              </button>
            </Empty>
          ) : !r.shown ? (
            <Empty text={t("consoleSurveys.tooFew", { threshold: r.threshold })} />
          ) : (
            r.questions.map((q) => (
              <section class="card pad stack" key={q.id}>
                <h3>{q.text}</h3>
                {q.kind === "scale" && q.distribution ? (
                  <>
                    <p class="big-number">{q.average == null ? "–" : formatNumber(q.average)} / 5</p>
                    <ol class="distribution" aria-label={t("consoleSurveys.distributionLabel")}>
                      {q.distribution.map((n, i) => (
                        <li>
                          <span>{i + 1}</span>
                          <progress
                            max={Math.max(...q.distribution!, 1)}
                            value={n}
                            aria-label={t("consoleSurveys.distributionBar", { count: n, value: i + 1 })}
                          />
                          <span>{n}</span>
                        </li>
                      ))}
                    </ol>
                  </>
                ) : (
                  <ul class="plain">
                    {(q.comments ?? []).map((c) => (
                      <li class="prewrap">{c}</li>
                    ))}
                  </ul>
                )}
              </section>
            ))
          )}
        </>
      )}
    </main>
  );
}
