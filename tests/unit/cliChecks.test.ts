// The checks at the CLI's edge that need no server: schedule options (client/scheduleOptions.ts), Temporal connection
// variables (temporal/settingsCheck.ts), ports and limits (client/numberOptions.ts) and the "did you mean" of usage
// errors (client/usageErrors.ts).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCron, durationOption, offsetHoursOption, timeOption } from '../../client/scheduleOptions.js';
import { closest } from '../../client/usageErrors.js';
import { countOption, portOption } from '../../client/numberOptions.js';
import { checkConnectionEnv } from '../../temporal/settingsCheck.js';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected an error, got none');
}

describe('cron expressions', () => {
  const good = ['0 14 * * *', '*/15 * * * *', '0 14 * * mon-fri', '0 0 1 jan,jul *', '30 0 14 * * * 2027', '0 14 * * * 2026-2030', '@daily', '@every 12h', '@every 1d/14h', 'CRON_TZ=America/Santiago 0 14 * * *', '0 14 * * 7 # sundays'];
  for (const expr of good) it(`accepts '${expr}'`, () => expect(() => checkCron(expr)).not.toThrow());

  const bad: Array<[string, RegExp]> = [
    ['bogus', /1 field, not 5, 6 or 7/],
    ['61 * * * *', /minute '61' is not a value in 0-59/],
    ['0 24 * * *', /hour '24' is not a value in 0-23/],
    ['0 0 0 * *', /day of month '0' is not a value in 1-31/],
    ['0 0 * foo *', /month 'foo' is not a value in 1-12 or a name/],
    ['0 0 * * 1-8', /day of week '8' is not a value in 0-7/],
    ['0 0 * * 5-1', /'5-1' is a range that runs backwards/],
    ['*/0 * * * *', /step '0'/],
    ['@sometimes', /unknown shorthand '@sometimes'/],
    ['@every soon', /'@every' takes an interval/],
    ['CRON_TZ=Mars/Base 0 14 * * *', /unknown time zone 'Mars\/Base'/],
  ];
  for (const [expr, why] of bad)
    it(`refuses '${expr}' naming --cron and a good value`, () => {
      const msg = messageOf(() => checkCron(expr));
      expect(msg).toContain("key '--cron'");
      expect(msg).toMatch(why);
      expect(msg).toContain("'0 14 * * *'");
    });
});

describe('durations, offsets and times', () => {
  it('reads durations with a unit', () => {
    expect(durationOption('1d', '--catchup-window')).toBe(86_400_000);
    expect(durationOption('90s', '--jitter')).toBe(90_000);
    expect(durationOption('1.5h', '--jitter')).toBe(5_400_000);
  });
  it('refuses durations without a unit, unknown units and windows under the minimum', () => {
    expect(messageOf(() => durationOption('abc', '--catchup-window'))).toMatch(/key '--catchup-window': 'abc' is not a duration.*e\.g\. 90s/);
    expect(messageOf(() => durationOption('10', '--jitter'))).toMatch(/key '--jitter': '10' is not a duration/);
    expect(messageOf(() => durationOption('5x', '--jitter'))).toMatch(/'5x' is not a duration/);
    expect(messageOf(() => durationOption('1s', '--catchup-window', 10_000))).toMatch(/shorter than the least Temporal allows, 10s/);
  });
  it('reads offset hours in -24..24 only', () => {
    expect(offsetHoursOption('12')).toBe(12);
    expect(offsetHoursOption('-3.5')).toBe(-3.5);
    for (const v of ['100', 'noon', ''] as const) expect(messageOf(() => offsetHoursOption(v))).toMatch(/key '--offset-hours'.*-24\.\.24/);
  });
  it('reads ISO dates and zoned times, refusing numbers, times without a zone and days not on the calendar', () => {
    expect(timeOption('2026-11-01', '--start').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(timeOption('2026-11-01T12:30:00-03:00', '--start').toISOString()).toBe('2026-11-01T15:30:00.000Z');
    expect(messageOf(() => timeOption('1', '--start'))).toMatch(/key '--start': '1' is not an ISO 8601 date or time/);
    expect(messageOf(() => timeOption('2026-11-01T00:00', '--end'))).toMatch(/key '--end': .* has no time zone; add Z/);
    expect(messageOf(() => timeOption('2026-02-30', '--start'))).toMatch(/not a date on the calendar/);
    expect(messageOf(() => timeOption('2026-11-01T24:00:00Z', '--start'))).toMatch(/not a date on the calendar/);
  });
});

describe('Temporal connection variables', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tbps-conn-'));
  const pem = join(dir, 'client.pem');
  const notPem = join(dir, 'client.txt');
  writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(notPem, 'hello\n');

  it('accepts no settings, and complete ones', () => {
    expect(() => checkConnectionEnv({})).not.toThrow();
    expect(() =>
      checkConnectionEnv({ TEMPORAL_ADDRESS: 'my-ns.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'my-ns.a1b2c', TEMPORAL_TLS: 'true', TEMPORAL_TLS_CLIENT_CERT_PATH: pem, TEMPORAL_TLS_CLIENT_KEY_PATH: pem }),
    ).not.toThrow();
    expect(() => checkConnectionEnv({ TEMPORAL_ADDRESS: '[::1]:7233', TEMPORAL_API_KEY: 'eyJhbGciOi.abc-_' })).not.toThrow();
  });

  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['a missing client certificate', { TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'nope.pem'), TEMPORAL_TLS_CLIENT_KEY_PATH: pem }, /^TEMPORAL_TLS_CLIENT_CERT_PATH: '.*nope\.pem' does not exist/],
    ['a key file that is no PEM', { TEMPORAL_TLS_CLIENT_CERT_PATH: pem, TEMPORAL_TLS_CLIENT_KEY_PATH: notPem }, /^TEMPORAL_TLS_CLIENT_KEY_PATH: .* is not a PEM client private key/],
    ['a CA path that is a directory', { TEMPORAL_TLS_SERVER_CA_CERT_PATH: dir }, /^TEMPORAL_TLS_SERVER_CA_CERT_PATH: .* is not a file/],
    ['a certificate without its key', { TEMPORAL_TLS_CLIENT_CERT_PATH: pem }, /^TEMPORAL_TLS_CLIENT_KEY_PATH: not set/],
    ['a path and data for the same file', { TEMPORAL_TLS_SERVER_CA_CERT_PATH: pem, TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'x' }, /both TEMPORAL_TLS_SERVER_CA_CERT_PATH and TEMPORAL_TLS_SERVER_CA_CERT_DATA/],
    ['TEMPORAL_TLS that is no boolean', { TEMPORAL_TLS: 'yes' }, /^TEMPORAL_TLS: 'yes' is not one of true, false, 1, 0/],
    ['an address with a scheme', { TEMPORAL_ADDRESS: 'http://localhost:7233' }, /^TEMPORAL_ADDRESS: .* has a scheme; give host:port/],
    ['an address with a bad port', { TEMPORAL_ADDRESS: 'localhost:99999' }, /^TEMPORAL_ADDRESS: port 99999 is out of range/],
    ['a namespace with a space', { TEMPORAL_NAMESPACE: 'my ns' }, /^TEMPORAL_NAMESPACE: 'my ns' is not a namespace name/],
    ['an API key with a trailing newline', { TEMPORAL_API_KEY: 'abc\n' }, /^TEMPORAL_API_KEY: holds whitespace/],
    ['an empty API key', { TEMPORAL_API_KEY: '' }, /^TEMPORAL_API_KEY: is set but empty/],
  ];
  for (const [what, env, expected] of cases) it(`refuses ${what}, naming the variable`, () => expect(messageOf(() => checkConnectionEnv(env))).toMatch(expected));
});

describe('closest known name', () => {
  it('finds misspellings, prefixes and swapped letters', () => {
    const verbs = ['submit', 'report', 'status', 'stats', 'campaign', 'schedule'];
    expect(closest('repot', verbs)).toBe('report');
    expect(closest('camp', verbs)).toBe('campaign');
    expect(closest('sumbit', verbs)).toBe('submit');
    expect(closest('--wiat', ['--wait', '--json', '--help'])).toBe('--wait');
  });
  it('has nothing to offer for an empty word or list', () => {
    expect(closest('', ['a'])).toBeUndefined();
    expect(closest('x', [])).toBeUndefined();
  });
});

describe('ports and limits', () => {
  it('reads whole numbers in range', () => {
    expect(portOption('7233', '--port')).toBe(7233);
    expect(countOption('20', '--limit')).toBe(20);
  });
  it('refuses anything else, naming the option', () => {
    for (const v of ['abc', '0', '65536', '72.5', '-1', ''] as const) expect(messageOf(() => portOption(v, '--port'))).toMatch(/^--port: expected a port number \(1-65535\)/);
    for (const v of ['x', '0', '1e3'] as const) expect(messageOf(() => countOption(v, '--limit'))).toMatch(/^--limit: expected a whole number >= 1/);
  });
});
