/** Cron schedule parsing and next-time computation, table-driven; time zones through Intl. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleError, formatInZone, parseSchedule } from '../../src/controllers/cronjob-schedule.js';

const at = (s: string) => Date.parse(s);
const iso = (ms: number | undefined) => (ms === undefined ? 'none' : new Date(ms).toISOString());

describe('cron schedules', () => {
  const cases: Array<{ name: string; spec: string; tz?: string; from: string; want: string }> = [
    { name: 'every 15 minutes', spec: '*/15 * * * *', from: '2024-01-01T00:07:30Z', want: '2024-01-01T00:15:00.000Z' },
    { name: 'strictly after an exact match', spec: '0 * * * *', from: '2024-01-01T10:00:00Z', want: '2024-01-01T11:00:00.000Z' },
    { name: '@hourly', spec: '@hourly', from: '2024-01-01T10:59:59Z', want: '2024-01-01T11:00:00.000Z' },
    { name: '@daily', spec: '@daily', from: '2024-01-01T10:00:00Z', want: '2024-01-02T00:00:00.000Z' },
    { name: '@weekly is Sunday midnight', spec: '@weekly', from: '2024-01-01T00:00:00Z', want: '2024-01-07T00:00:00.000Z' },
    { name: '@monthly', spec: '@monthly', from: '2024-01-31T23:59:00Z', want: '2024-02-01T00:00:00.000Z' },
    { name: '@yearly', spec: '@yearly', from: '2024-06-01T00:00:00Z', want: '2025-01-01T00:00:00.000Z' },
    { name: 'weekday names and ranges', spec: '30 2 * * MON-FRI', from: '2024-01-06T00:00:00Z', want: '2024-01-08T02:30:00.000Z' },
    { name: 'month names', spec: '0 0 1 mar *', from: '2024-01-06T00:00:00Z', want: '2024-03-01T00:00:00.000Z' },
    { name: 'day of month OR day of week when both are set', spec: '0 0 13 * 5', from: '2024-01-01T00:00:00Z', want: '2024-01-05T00:00:00.000Z' },
    { name: 'a starred day field means AND', spec: '0 0 * * 5', from: '2024-01-06T00:00:00Z', want: '2024-01-12T00:00:00.000Z' },
    { name: 'lists and steps with a start', spec: '5,10 1/12 * * *', from: '2024-01-01T01:07:00Z', want: '2024-01-01T01:10:00.000Z' },
    { name: '? is *', spec: '0 0 ? * ?', from: '2024-01-01T00:00:00Z', want: '2024-01-02T00:00:00.000Z' },
    { name: 'leap day', spec: '0 12 29 2 *', from: '2024-03-01T00:00:00Z', want: '2028-02-29T12:00:00.000Z' },
    { name: 'a time zone', spec: '0 9 * * *', tz: 'Asia/Tokyo', from: '2023-12-31T23:00:00Z', want: '2024-01-01T00:00:00.000Z' },
    { name: 'a half-hour zone', spec: '0 * * * *', tz: 'Asia/Kolkata', from: '2024-01-01T00:00:00Z', want: '2024-01-01T00:30:00.000Z' },
    { name: 'before spring forward (EST)', spec: '0 9 * * *', tz: 'America/New_York', from: '2024-03-09T00:00:00Z', want: '2024-03-09T14:00:00.000Z' },
    { name: 'after spring forward (EDT)', spec: '0 9 * * *', tz: 'America/New_York', from: '2024-03-09T15:00:00Z', want: '2024-03-10T13:00:00.000Z' },
    { name: 'a wall time that does not exist is skipped', spec: '30 2 * * *', tz: 'America/New_York', from: '2024-03-10T00:00:00Z', want: '2024-03-11T06:30:00.000Z' },
    { name: 'TZ= prefix', spec: 'CRON_TZ=Asia/Tokyo 0 9 * * *', from: '2023-12-31T23:00:00Z', want: '2024-01-01T00:00:00.000Z' },
    { name: '@every', spec: '@every 1h30m', from: '2024-01-01T00:00:10.500Z', want: '2024-01-01T01:30:10.000Z' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(iso(parseSchedule(c.spec, c.tz).next(at(c.from))), c.want);
    });
  }

  it('an impossible date has no next time', () => {
    assert.equal(parseSchedule('0 0 30 2 *').next(at('2024-01-01T00:00:00Z')), undefined);
  });

  it('rejects malformed schedules', () => {
    for (const bad of ['* * * *', '61 * * * *', '* * * * 7', '@often', 'a b c d e', '5-1 * * * *', '*/0 * * * *', '* * * * * *']) {
      assert.throws(() => parseSchedule(bad), ScheduleError, bad);
    }
    assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus_Mons'), RangeError);
  });

  it('formats scheduled times with the zone offset', () => {
    assert.equal(formatInZone(at('2024-01-01T00:00:00Z'), 'Asia/Tokyo'), '2024-01-01T09:00:00+09:00');
    assert.equal(formatInZone(at('2024-07-01T13:00:00Z'), 'America/New_York'), '2024-07-01T09:00:00-04:00');
    assert.equal(formatInZone(at('2024-01-01T00:00:00Z'), 'UTC'), '2024-01-01T00:00:00Z');
    assert.equal(formatInZone(at('2024-01-01T00:00:00Z'), 'Asia/Kolkata'), '2024-01-01T05:30:00+05:30');
  });
});
