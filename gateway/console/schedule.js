// This week's calendar items and reminders on one timeline, in the user's time zone.
import { el, byId, replaceChildren } from './dom.js';

const DAY_MS = 86400000;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const REMINDER_STATES = { scheduled: 'planned', sent: 'sent', skipped: 'skipped', failed: 'failed' };

// The wall clock of an instant in a zone: {weekday 0 = Monday, hour, minute, second}.
function wallClock(instant, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(instant).map((p) => [p.type, p.value]));
  return { weekday: WEEKDAYS.indexOf(parts.weekday), hour: +parts.hour, minute: +parts.minute, second: +parts.second };
}

// Monday 00:00 of this week in the zone, and the next Monday. Computed by stepping back the wall
// clock, so on a week with a DST change the edge may sit an hour off midnight (documented).
export function weekWindow(now, timeZone) {
  const clock = wallClock(now, timeZone);
  const sinceMidnight = ((clock.hour * 60 + clock.minute) * 60 + clock.second) * 1000 + now.getMilliseconds();
  const from = new Date(now.getTime() - sinceMidnight - clock.weekday * DAY_MS);
  return { from, to: new Date(from.getTime() + 7 * DAY_MS) };
}

export class ScheduleView {
  constructor(api, session) {
    this.api = api;
    this.session = session;
  }

  async show() {
    const timeZone = this.session.timeZone;
    const { from, to } = weekWindow(new Date(), timeZone);
    const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const [occurrences, reminders] = await Promise.all([
      this.api.get(`/v1/calendar/occurrences?${range}&limit=500`),
      this.api.get(`/v1/reminders?${range}&limit=1000`),
    ]);
    const entries = [
      ...occurrences.items.map((o) => ({ at: new Date(o.starts_at), kind: 'event', item: o })),
      ...reminders.items.map((r) => ({ at: new Date(r.trigger_at), kind: 'reminder', item: r })),
    ].sort((a, b) => a.at - b.at || (a.kind === 'reminder' ? -1 : 1));

    byId('schedule-zone').textContent = `(${timeZone})`;
    const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
    const day = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'long', day: 'numeric', month: 'long' });
    const timeline = byId('timeline');
    if (entries.length === 0) {
      replaceChildren(timeline, el('li', { class: 'empty' }, 'Nothing planned this week.'));
      return;
    }
    let lastDay = '';
    const rows = [];
    for (const { at, kind, item } of entries) {
      const dayLabel = day.format(at);
      if (dayLabel !== lastDay) {
        rows.push(el('li', { class: 'day' }, el('h3', {}, dayLabel)));
        lastDay = dayLabel;
      }
      if (kind === 'event') {
        rows.push(el('li', { class: `entry event ${item.status}` },
          el('time', { datetime: item.starts_at }, time.format(at)),
          el('span', { class: 'title' }, item.title),
          item.location ? el('span', { class: 'muted' }, ` — ${item.location}`) : null,
          el('span', { class: 'badge' }, item.status)));
      } else {
        const state = REMINDER_STATES[item.status] || item.status;
        const why = item.skip_reason === 'quiet_hours' ? ' for quiet hours' : item.skip_reason ? ` (${item.skip_reason})` : '';
        rows.push(el('li', { class: `entry reminder ${item.status}`, dataset: { reminderId: item.reminder_id } },
          el('time', { datetime: item.trigger_at }, time.format(at)),
          el('span', { class: 'title' }, `Reminder: ${item.title}`),
          el('span', { class: `badge ${item.status}` }, `${state}${why}`)));
      }
    }
    replaceChildren(timeline, rows);
  }
}
