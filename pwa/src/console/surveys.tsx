// Pulse surveys: create one in a minute, read the answers only in aggregate, and only once the
// survey has closed: while it runs the admin sees how many were asked, never how many answered.
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Empty, Failure, Skeleton, StatusChip, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import { Field, Section } from "./ui";

type NewQuestion = Schemas["QuestionCreate"];
type Survey = Schemas["SurveyRead"];

const THRESHOLD = 5; // the server's ANONYMITY_THRESHOLD: results show from this many answers on

function day(at: string): string {
  return new Date(at).toLocaleDateString();
}

/** What an admin may know of a survey before its results: who was asked, and when it closes. */
function surveyLine(s: Pick<Survey, "status" | "invited" | "opensAt" | "closesAt" | "closedAt">): string {
  if (s.status === "closed") return `${s.invited} invited · closed ${day(s.closedAt ?? s.closesAt)}`;
  if (s.status === "scheduled") return `${s.invited} invited · opens ${day(s.opensAt)} · results after it closes`;
  return `${s.invited} invited · results after it closes (${day(s.closesAt)})`;
}

export function SurveysAdmin() {
  const surveys = useLoad(() => api.get("/api/v1/admin/surveys"), []);
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const [title, setTitle] = useState("");
  const [intro, setIntro] = useState("");
  const [questions, setQuestions] = useState<NewQuestion[]>([{ text: "", kind: "scale" }]);
  const [days, setDays] = useState(7);
  const [points, setPoints] = useState(10);
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [busy, run] = useInFlight();

  async function create(event: Event) {
    event.preventDefault();
    await run(createNow);
  }

  async function createNow() {
    try {
      await api.post("/api/v1/admin/surveys", {
        body: {
          title,
          intro,
          questions,
          points: Number(points),
          teamIds,
          closesAt: new Date(Date.now() + Number(days) * 86_400_000).toISOString(),
        },
      });
      toast("Survey sent: people see it on their home screen.", "success");
      setTitle("");
      setIntro("");
      setQuestions([{ text: "", kind: "scale" }]);
      surveys.reload();
    } catch (failure) {
      toastFailure(failure, "Could not create the survey.");
    }
  }

  return (
    <main class="screen console">
      <TopBar title="Pulse surveys" back="/admin" />
      <p class="muted">
        Answers are anonymous: you see them only in aggregate, after the survey closes, and only when at least{" "}
        {THRESHOLD} people answered. Points for answering are paid when it closes.
      </p>
      {surveys.error && !surveys.data ? (
        <Failure error={surveys.error} retry={surveys.reload} />
      ) : !surveys.data ? (
        <Skeleton />
      ) : surveys.data.length === 0 ? (
        <Empty text="No surveys yet." />
      ) : (
        <ul class="board">
          {surveys.data.map((s) => (
            <li key={s.id}>
              <a class="board-row" href={`/admin/surveys/${s.id}`}>
                <span class="who">
                  <span class="name">{s.title}</span>
                  <span class="muted small">{surveyLine(s)}</span>
                </span>
                <StatusChip status={s.status} />
              </a>
            </li>
          ))}
        </ul>
      )}
      <Section title="New survey">
        <form class="stack card pad" onSubmit={create}>
          <Field label="Title">
            <input required maxLength={120} value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
          </Field>
          <Field label="Intro (optional)">
            <input maxLength={500} value={intro} onInput={(e) => setIntro(e.currentTarget.value)} />
          </Field>
          {questions.map((q, i) => (
            <div class="row question-row">
              <Field label={`Question ${i + 1}`}>
                <input
                  required
                  maxLength={200}
                  value={q.text}
                  onInput={(e) =>
                    setQuestions(questions.map((x, j) => (j === i ? { ...x, text: e.currentTarget.value } : x)))
                  }
                />
              </Field>
              <Field label="Answer">
                <select
                  value={q.kind}
                  onChange={(e) =>
                    setQuestions(
                      questions.map((x, j) =>
                        j === i ? { ...x, kind: e.currentTarget.value as NewQuestion["kind"] } : x,
                      ),
                    )
                  }
                >
                  <option value="scale">1 to 5</option>
                  <option value="text">Words (optional)</option>
                </select>
              </Field>
              {questions.length > 1 && (
                <button
                  type="button"
                  class="button secondary compact"
                  aria-label={`Remove question ${i + 1}`}
                  onClick={() => setQuestions(questions.filter((_, j) => j !== i))}
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          {questions.length < 10 && (
            <button
              type="button"
              class="linkish"
              onClick={() => setQuestions([...questions, { text: "", kind: "scale" }])}
            >
              Add a question
            </button>
          )}
          <div class="row">
            <Field label="Open for (days)">
              <input
                type="number"
                min={1}
                max={60}
                value={days}
                onInput={(e) => setDays(Number(e.currentTarget.value))}
              />
            </Field>
            <Field label="Points for answering">
              <input
                type="number"
                min={0}
                max={1000}
                value={points}
                onInput={(e) => setPoints(Number(e.currentTarget.value))}
              />
            </Field>
          </div>
          <fieldset class="stack">
            <legend>Who is asked</legend>
            <p class="muted small">{teamIds.length ? "Only the teams ticked." : "Everyone."}</p>
            {(teams.data?.items ?? []).map((t) => (
              <label class="switch">
                <span>{t.name}</span>
                <input
                  type="checkbox"
                  checked={teamIds.includes(t.id)}
                  onChange={(e) =>
                    setTeamIds(e.currentTarget.checked ? [...teamIds, t.id] : teamIds.filter((x) => x !== t.id))
                  }
                />
              </label>
            ))}
          </fieldset>
          <button class="button primary" type="submit" disabled={busy}>
            Send survey
          </button>
        </form>
      </Section>
    </main>
  );
}

export function SurveyResultsScreen({ id }: { id: string }) {
  const results = useLoad(
    () => api.get("/api/v1/admin/surveys/{survey_id}/results", { path: { survey_id: id } }),
    [id],
  );
  const [busy, run] = useInFlight();
  const r = results.data;

  async function closeNow() {
    if (
      !window.confirm(
        "Close this survey now? Nobody can answer after this, the points for answering are paid, and the results show if at least 5 people answered.",
      )
    )
      return;
    await run(async () => {
      try {
        await api.post("/api/v1/admin/surveys/{survey_id}/close", { path: { survey_id: id } });
        toast("Survey closed.", "success");
        results.reload();
      } catch (failure) {
        toastFailure(failure, "Could not close the survey.");
      }
    });
  }

  return (
    <main class="screen console">
      <TopBar title="Survey results" back="/admin/surveys" />
      {results.error && !r ? (
        <Failure error={results.error} retry={results.reload} />
      ) : !r ? (
        <Skeleton />
      ) : (
        <>
          <h2 class="card-title">
            {r.title} <StatusChip status={r.status} />
          </h2>
          <p class="muted">
            {r.status === "closed"
              ? `${r.invited} invited · closed ${day(r.closedAt ?? r.closesAt)}${r.shown ? ` · ${r.responses} answers` : ""}`
              : `${r.invited} invited · results after it closes`}
          </p>
          {r.status !== "closed" ? (
            <Empty
              text={`It closes ${day(r.closesAt)}. Until then nobody sees the answers, not even how many came in, so no single answer can be picked out.`}
            >
              <button class="button secondary" type="button" disabled={busy} onClick={closeNow}>
                Close now
              </button>
            </Empty>
          ) : !r.shown ? (
            <Empty text={`Fewer than ${r.threshold} answers: results are hidden to keep answers anonymous.`} />
          ) : (
            r.questions.map((q) => (
              <section class="card pad stack" key={q.id}>
                <h3>{q.text}</h3>
                {q.kind === "scale" && q.distribution ? (
                  <>
                    <p class="big-number">{q.average ?? "–"} / 5</p>
                    <ol class="distribution" aria-label="Answers from 1 to 5">
                      {q.distribution.map((n, i) => (
                        <li>
                          <span>{i + 1}</span>
                          <progress
                            max={Math.max(...q.distribution!, 1)}
                            value={n}
                            aria-label={`${n} answered ${i + 1}`}
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
