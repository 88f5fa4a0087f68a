/**
 * Admin: business-hours calendars. The list, and one form to create or edit
 * a calendar (name, IANA time zone, opening intervals per weekday, holidays).
 * The server validates everything; its field errors show next to the fields.
 * Saving sends the version read in `If-Match`, so a concurrent edit is refused.
 */
import { type FormEvent, useState } from 'react';
import { api } from '../../api/client.js';
import type { BusinessCalendar, BusinessCalendarBody, VersionedCalendar, Weekday } from '../../api/types.js';
import { FieldMessage, useFocusAfterRender } from '../../components/FormErrors.js';
import { useNow } from '../../lib/now.js';
import { adminPath, Link, NEW_ITEM, navigate } from '../../lib/router.js';
import { useToast } from '../../lib/toast.js';
import {
  AdminTable,
  EditorFallback,
  EditorPage,
  FormActions,
  IdVersion,
  ifMatch,
  LoadProblem,
  newIdProblems,
  PageHeader,
  Updated,
  useDraft,
  useEditorForm,
  useItems,
  usePageTitle,
} from './common.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const satisfies readonly Weekday[];

const DAY_LABEL: Record<Weekday, string> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

const DAY_SHORT: Record<Weekday, string> = {
  mon: 'Mon',
  tue: 'Tue',
  wed: 'Wed',
  thu: 'Thu',
  fri: 'Fri',
  sat: 'Sat',
  sun: 'Sun',
};

const LIST_PATH = '/business-hours';

export function BusinessHoursPage({ id }: { id?: string | null }) {
  return id === undefined ? <CalendarList /> : <CalendarEditor key={id ?? NEW_ITEM} id={id} />;
}

/** "Mon–Fri 09:00–17:00 · Sat 10:00–14:00" */
export function weeklySummary(calendar: BusinessCalendar): string {
  const text = (day: Weekday) => calendar.weekly[day].map((i) => `${i.start}–${i.end}`).join(', ');
  const groups: { from: Weekday; to: Weekday; hours: string }[] = [];
  for (const day of DAYS) {
    const hours = text(day);
    const last = groups[groups.length - 1];
    if (last && last.hours === hours) last.to = day;
    else groups.push({ from: day, to: day, hours });
  }
  const open = groups.filter((g) => g.hours);
  if (open.length === 0) return 'Never open';
  return open
    .map((g) => `${DAY_SHORT[g.from]}${g.to !== g.from ? `–${DAY_SHORT[g.to]}` : ''} ${g.hours}`)
    .join(' · ');
}

function CalendarList() {
  const now = useNow();
  const { items, error, loading, reload } = useItems<VersionedCalendar>(LIST_PATH);
  usePageTitle('Business hours');

  return (
    <div className="page admin-page">
      <PageHeader
        title="Business hours"
        subtitle="Opening hours and holidays that SLA policies count their targets in."
      >
        <Link to={adminPath('business-hours', null)} className="btn btn-primary btn-sm">
          New calendar
        </Link>
      </PageHeader>
      {error ? <LoadProblem what="The calendars" error={error} onRetry={() => void reload()} /> : null}
      <AdminTable
        label="Business-hours calendars"
        columns={['Calendar', 'Time zone', 'Opening hours', 'Holidays', 'Last change']}
        loading={loading}
        items={items}
        loadingLabel="Loading calendars"
        empty={
          <>
            <p className="empty-title">No calendars yet</p>
            <p className="muted">Without one, SLA targets count calendar time (24/7).</p>
          </>
        }
      >
        {items?.map(({ calendar, version, updatedAt, updatedBy }) => (
          <tr key={calendar.id}>
            <td>
              <Link to={adminPath('business-hours', calendar.id)} className="admin-name">
                {calendar.name}
              </Link>
              <span className="mono muted small admin-id">{calendar.id}</span>
            </td>
            <td>{calendar.timeZone}</td>
            <td className="small">{weeklySummary(calendar)}</td>
            <td>{calendar.holidays.length}</td>
            <td>
              <Updated version={version} at={updatedAt} by={updatedBy} now={now} />
            </td>
          </tr>
        ))}
      </AdminTable>
    </div>
  );
}

interface IntervalDraft {
  key: number;
  start: string;
  end: string;
}

interface HolidayDraft {
  key: number;
  date: string;
  name: string;
}

interface CalendarDraft {
  id: string;
  name: string;
  timeZone: string;
  weekly: Record<Weekday, IntervalDraft[]>;
  holidays: HolidayDraft[];
}

let nextKey = 1;
const key = () => nextKey++;

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function draftOf(calendar: BusinessCalendar | null): CalendarDraft {
  if (!calendar) {
    const workday = (): IntervalDraft[] => [{ key: key(), start: '09:00', end: '17:00' }];
    return {
      id: '',
      name: '',
      timeZone: browserTimeZone(),
      weekly: {
        mon: workday(),
        tue: workday(),
        wed: workday(),
        thu: workday(),
        fri: workday(),
        sat: [],
        sun: [],
      },
      holidays: [],
    };
  }
  const weekly = Object.fromEntries(
    DAYS.map((d) => [d, calendar.weekly[d].map((i) => ({ key: key(), start: i.start, end: i.end }))]),
  ) as Record<Weekday, IntervalDraft[]>;
  return {
    id: calendar.id,
    name: calendar.name,
    timeZone: calendar.timeZone,
    weekly,
    holidays: calendar.holidays.map((h) => ({ key: key(), date: h.date, name: h.name })),
  };
}

function bodyOf(draft: CalendarDraft): BusinessCalendarBody {
  const weekly = Object.fromEntries(
    DAYS.map((d) => [d, draft.weekly[d].map((i) => ({ start: i.start.trim(), end: i.end.trim() }))]),
  ) as BusinessCalendarBody['weekly'];
  return {
    name: draft.name,
    timeZone: draft.timeZone.trim(),
    weekly,
    holidays: draft.holidays.map((h) => ({ date: h.date, name: h.name })),
  };
}

/** A readable name for an error's path: "Monday, hours 1: closes". */
function labelOf(path: string): string {
  const [head, a, b, c] = path.split('.');
  if (head === 'id') return 'ID';
  if (head === 'name') return 'Name';
  if (head === 'timeZone') return 'Time zone';
  if (head === 'weekly') {
    const day = DAY_LABEL[a as Weekday];
    if (!day) return 'Opening hours';
    if (b === undefined) return day;
    const part = c === 'start' ? ': opens' : c === 'end' ? ': closes' : '';
    return `${day}, hours ${Number(b) + 1}${part}`;
  }
  if (head === 'holidays') {
    if (a === undefined) return 'Holidays';
    const part = b === 'date' ? ': date' : b === 'name' ? ': name' : '';
    return `Holiday ${Number(a) + 1}${part}`;
  }
  return path || 'Calendar';
}

const TIME_ZONES: readonly string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

const seedOf = (c: VersionedCalendar) => ({ draft: draftOf(c.calendar), version: c.version });

function CalendarEditor({ id }: { id: string | null }) {
  const notify = useToast();
  const { items, error: loadError, loading, reload } = useItems<VersionedCalendar>(LIST_PATH);
  const existing = id === null ? undefined : items?.find((c) => c.calendar.id === id);
  // Start from the stored calendar once it has loaded.
  const { draft, setDraft, version, reseed } = useDraft(
    id === null ? draftOf(null) : undefined,
    existing,
    seedOf,
  );
  const [idTouched, setIdTouched] = useState(false);
  const form = useEditorForm();
  const { formId, errors, saving, setProblem, run } = form;
  const focusLater = useFocusAfterRender();

  const title = id === null ? 'New calendar' : (existing?.calendar.name ?? 'Calendar');
  usePageTitle(title);

  const reloadFromServer = async () => {
    if (reseed((await reload())?.find((c) => c.calendar.id === id))) setProblem(undefined);
  };

  if (!draft) {
    return (
      <EditorFallback
        back={adminPath('business-hours')}
        backLabel="Business hours"
        noun="calendar"
        id={id}
        error={loadError}
        missing={!loading && Boolean(items) && !existing}
      />
    );
  }

  const update = (change: (d: CalendarDraft) => CalendarDraft) => setDraft((d) => (d ? change(d) : d));
  const setDay = (day: Weekday, intervals: IntervalDraft[]) =>
    update((d) => ({ ...d, weekly: { ...d.weekly, [day]: intervals } }));

  const slug = (name: string) =>
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const calendarId = id ?? draft.id.trim();
    if (id === null) {
      const problems = newIdProblems(
        calendarId,
        'calendar',
        (x) => items?.some((c) => c.calendar.id === x) ?? false,
      );
      if (problems.length > 0) {
        setProblem({ kind: 'error', message: 'The calendar was not saved', details: problems });
        return;
      }
    }
    const saved = await run(async () => {
      const result = await api<VersionedCalendar>(
        'PUT',
        `/business-hours/${encodeURIComponent(calendarId)}`,
        {
          body: bodyOf(draft),
          ...ifMatch(version),
        },
      );
      notify(`Saved “${result.calendar.name}” (version ${result.version})`);
    });
    if (saved) navigate(adminPath('business-hours'));
  };

  const nameId = errors.id('name');

  return (
    <EditorPage
      back={adminPath('business-hours')}
      backLabel="Business hours"
      title={title}
      subtitle={
        existing ? (
          <IdVersion id={existing.calendar.id} version={version ?? existing.version} />
        ) : (
          'Opening hours per weekday in one time zone, plus holidays.'
        )
      }
      form={form}
      labelOf={labelOf}
      noun="calendar"
      onReload={() => void reloadFromServer()}
      reloading={loading}
      onSubmit={submit}
      headingId={`${formId}-heading`}
    >
      <section className="form-section">
        <div className="form-grid">
          <div className="field">
            <label htmlFor={nameId}>Name</label>
            <input
              {...errors.control('name')}
              value={draft.name}
              onChange={(e) => {
                const name = e.target.value;
                update((d) => ({ ...d, name, id: id === null && !idTouched ? slug(name) : d.id }));
              }}
              autoComplete="off"
              required
            />
            <FieldMessage errors={errors} path="name" />
          </div>
          {id === null ? (
            <div className="field">
              <label htmlFor={errors.id('id')}>ID</label>
              <input
                {...errors.control('id')}
                className="mono"
                value={draft.id}
                onChange={(e) => {
                  setIdTouched(true);
                  update((d) => ({ ...d, id: e.target.value }));
                }}
                aria-describedby={`${formId}-id-hint${errors.at('id').length ? ` ${errors.errorId('id')}` : ''}`}
                autoComplete="off"
                spellCheck={false}
                required
              />
              <p className="field-hint" id={`${formId}-id-hint`}>
                Policies refer to the calendar by this; it cannot change later.
              </p>
              <FieldMessage errors={errors} path="id" />
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={errors.id('timeZone')}>Time zone</label>
            <input
              {...errors.control('timeZone')}
              value={draft.timeZone}
              onChange={(e) => update((d) => ({ ...d, timeZone: e.target.value }))}
              list={`${formId}-zones`}
              aria-describedby={`${formId}-tz-hint${errors.at('timeZone').length ? ` ${errors.errorId('timeZone')}` : ''}`}
              autoComplete="off"
              spellCheck={false}
              required
            />
            <datalist id={`${formId}-zones`}>
              {TIME_ZONES.map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
            <p className="field-hint" id={`${formId}-tz-hint`}>
              An IANA name such as Europe/Berlin or America/New_York.
            </p>
            <FieldMessage errors={errors} path="timeZone" />
          </div>
        </div>
      </section>

      <fieldset className="form-section" {...errors.group('weekly')}>
        <legend className="section-title">Opening hours</legend>
        <p className="field-hint">Times are HH:MM in the calendar's time zone; 24:00 closes at midnight.</p>
        <FieldMessage errors={errors} path="weekly" />
        <div className="weekdays">
          {DAYS.map((day) => (
            <fieldset key={day} className="weekday" {...errors.group(`weekly.${day}`)}>
              <legend className="weekday-name">{DAY_LABEL[day]}</legend>
              <div className="weekday-hours">
                {draft.weekly[day].length === 0 ? <span className="muted weekday-closed">Closed</span> : null}
                {draft.weekly[day].map((interval, i) => {
                  const base = `weekly.${day}.${i}`;
                  const label = `${DAY_LABEL[day]} hours ${i + 1}`;
                  return (
                    <div key={interval.key} className="interval">
                      <div className="interval-inputs">
                        <input
                          {...errors.control(`${base}.start`)}
                          className="time-input"
                          value={interval.start}
                          onChange={(e) =>
                            setDay(
                              day,
                              draft.weekly[day].map((x) =>
                                x.key === interval.key ? { ...x, start: e.target.value } : x,
                              ),
                            )
                          }
                          aria-label={`${label}: opens`}
                          placeholder="09:00"
                          inputMode="numeric"
                          maxLength={5}
                          autoComplete="off"
                        />
                        <span aria-hidden="true">–</span>
                        <input
                          {...errors.control(`${base}.end`)}
                          className="time-input"
                          value={interval.end}
                          onChange={(e) =>
                            setDay(
                              day,
                              draft.weekly[day].map((x) =>
                                x.key === interval.key ? { ...x, end: e.target.value } : x,
                              ),
                            )
                          }
                          aria-label={`${label}: closes`}
                          placeholder="17:00"
                          inputMode="numeric"
                          maxLength={5}
                          autoComplete="off"
                        />
                        <button
                          type="button"
                          className="btn btn-ghost btn-sm icon-button"
                          aria-label={`Remove ${label}`}
                          onClick={() => {
                            setDay(
                              day,
                              draft.weekly[day].filter((x) => x.key !== interval.key),
                            );
                            focusLater(`${formId}-add-${day}`);
                          }}
                        >
                          ×
                        </button>
                      </div>
                      <FieldMessage errors={errors} path={base} />
                      <FieldMessage errors={errors} path={`${base}.start`} />
                      <FieldMessage errors={errors} path={`${base}.end`} />
                    </div>
                  );
                })}
                <button
                  type="button"
                  id={`${formId}-add-${day}`}
                  className="link-button"
                  onClick={() => {
                    const last = draft.weekly[day][draft.weekly[day].length - 1];
                    setDay(day, [
                      ...draft.weekly[day],
                      last
                        ? { key: key(), start: '', end: '' }
                        : { key: key(), start: '09:00', end: '17:00' },
                    ]);
                    focusLater(errors.id(`weekly.${day}.${draft.weekly[day].length}.start`));
                  }}
                  aria-label={`Add opening hours on ${DAY_LABEL[day]}`}
                >
                  + Add hours
                </button>
              </div>
              <FieldMessage errors={errors} path={`weekly.${day}`} />
            </fieldset>
          ))}
        </div>
      </fieldset>

      <fieldset className="form-section" {...errors.group('holidays')}>
        <legend className="section-title">Holidays</legend>
        <p className="field-hint">Closed all day on these dates, whatever the weekday.</p>
        <FieldMessage errors={errors} path="holidays" />
        {draft.holidays.length > 0 ? (
          <ul className="holiday-list">
            {draft.holidays.map((holiday, i) => (
              <li key={holiday.key} className="holiday">
                <div className="holiday-inputs">
                  <input
                    {...errors.control(`holidays.${i}.date`)}
                    type="date"
                    value={holiday.date}
                    onChange={(e) =>
                      update((d) => ({
                        ...d,
                        holidays: d.holidays.map((h) =>
                          h.key === holiday.key ? { ...h, date: e.target.value } : h,
                        ),
                      }))
                    }
                    aria-label={`Holiday ${i + 1}: date`}
                  />
                  <input
                    {...errors.control(`holidays.${i}.name`)}
                    value={holiday.name}
                    onChange={(e) =>
                      update((d) => ({
                        ...d,
                        holidays: d.holidays.map((h) =>
                          h.key === holiday.key ? { ...h, name: e.target.value } : h,
                        ),
                      }))
                    }
                    aria-label={`Holiday ${i + 1}: name`}
                    placeholder="e.g. New Year"
                    autoComplete="off"
                  />
                  <button
                    type="button"
                    className="btn btn-ghost btn-sm icon-button"
                    aria-label={`Remove holiday ${i + 1}${holiday.name ? ` (${holiday.name})` : ''}`}
                    onClick={() => {
                      update((d) => ({ ...d, holidays: d.holidays.filter((h) => h.key !== holiday.key) }));
                      focusLater(`${formId}-add-holiday`);
                    }}
                  >
                    ×
                  </button>
                </div>
                <FieldMessage errors={errors} path={`holidays.${i}`} />
                <FieldMessage errors={errors} path={`holidays.${i}.date`} />
                <FieldMessage errors={errors} path={`holidays.${i}.name`} />
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted small">No holidays.</p>
        )}
        <button
          type="button"
          id={`${formId}-add-holiday`}
          className="btn btn-secondary btn-sm"
          onClick={() => {
            update((d) => ({ ...d, holidays: [...d.holidays, { key: key(), date: '', name: '' }] }));
            focusLater(errors.id(`holidays.${draft.holidays.length}.date`));
          }}
        >
          Add holiday
        </button>
      </fieldset>

      <FormActions saving={saving} label="Save calendar" cancelTo={adminPath('business-hours')} />
    </EditorPage>
  );
}
