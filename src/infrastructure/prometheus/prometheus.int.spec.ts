import { randomName } from '../../../test/support/env';
import { freePort } from '../../../test/support/sentinel-process';
import { MetricsTarget, prometheusUrl, startMetricsTarget } from '../../../test/support/metrics-target';
import { PrometheusClient, PrometheusError } from './prometheus-client';

describe('PrometheusClient against the real Prometheus of the local stack', () => {
  const prometheus = new PrometheusClient({ url: prometheusUrl() });
  let target: MetricsTarget;
  let slo: string;
  const burnRate = () => `sentinel_test_burn_rate{slo="${slo}"}`;

  // One target for the suite (Prometheus takes up to 5 s to start scraping a newly discovered
  // target); each test uses series of its own.
  beforeAll(async () => {
    target = await startMetricsTarget('burn');
  });
  afterAll(() => target.close());
  beforeEach(() => {
    slo = randomName('slo');
  });

  it('returns the value a scraped target reports, and the new value once it changes', async () => {
    target.set('sentinel_test_burn_rate', 3.5, { slo });
    await target.waitForScrape();
    expect(await prometheus.instant(burnRate())).toBe(3.5);

    target.set('sentinel_test_burn_rate', 0.25, { slo });
    await target.waitForScrape();
    expect(await prometheus.instant(burnRate())).toBe(0.25);
    expect(await prometheus.instant(`${burnRate()} * 4`)).toBe(1);
  });

  it('evaluates at the given time: before the first scrape there was no value', async () => {
    target.set('sentinel_test_burn_rate', 2, { slo });
    await target.waitForScrape();
    expect(await prometheus.instant(burnRate(), new Date())).toBe(2);
    expect(await prometheus.instant(burnRate(), new Date(Date.now() - 60 * 60_000))).toBeUndefined();
  });

  it('returns a scalar result as a number, and NaN and infinities as such', async () => {
    expect(await prometheus.instant('scalar(vector(42))')).toBe(42);
    target.set('sentinel_test_burn_rate', Infinity, { slo });
    await target.waitForScrape();
    expect(await prometheus.instant(burnRate())).toBe(Infinity);
    expect(await prometheus.instant(`${burnRate()} - ${burnRate()}`)).toBeNaN();
  });

  it('answers undefined when the query matches no series', async () => {
    expect(await prometheus.instant(`sentinel_test_burn_rate{slo="${randomName('none')}"}`)).toBeUndefined();
  });

  it("refuses malformed PromQL with Prometheus's own error text", async () => {
    const error = await prometheus.instant('sum(rate(x[5m])').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PrometheusError);
    expect(error).toMatchObject({ code: 'BAD_QUERY', retriable: false });
    expect((error as Error).message).toMatch(
      /^Prometheus refused the query "sum\(rate\(x\[5m\]\)": bad_data: .*parse error/,
    );
  });

  it('refuses a query that returns two series, naming the count, and accepts their aggregate', async () => {
    target.set('sentinel_test_burn_rate', 1, { slo, window: '1h' });
    target.set('sentinel_test_burn_rate', 2, { slo, window: '6h' });
    await target.waitForScrape();
    const error = await prometheus.instant(burnRate()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_ONE_VALUE', retriable: false });
    expect((error as Error).message).toContain('returned 2 series');
    expect((error as Error).message).toContain('window="6h"');
    expect(await prometheus.instant(`max(${burnRate()})`)).toBe(2);
  });

  it('refuses a range vector: a fact is an instant value', async () => {
    target.set('sentinel_test_burn_rate', 1, { slo });
    await target.waitForScrape();
    await expect(prometheus.instant(`${burnRate()}[1m]`)).rejects.toThrow(/returned a range vector/);
  });

  it('says which URL did not answer, and what to do, when Prometheus is unreachable', async () => {
    const port = await freePort();
    const nowhere = new PrometheusClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    const error = await nowhere.instant('vector(1)').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNREACHABLE', retriable: true });
    expect((error as Error).message).toContain(
      `Prometheus at http://127.0.0.1:${port}/api/v1/query did not answer`,
    );
    expect((error as Error).message).toContain('SENTINEL_PROMETHEUS_URL');
  });
});
