import { PrometheusClient, sampleValue } from './prometheus-client';

describe('PrometheusClient (HTTP answers stubbed)', () => {
  const answer = (status: number, body: unknown) =>
    jest
      .spyOn(global, 'fetch')
      .mockResolvedValue(new Response(typeof body === 'string' ? body : JSON.stringify(body), { status }));
  afterEach(() => jest.restoreAllMocks());

  it('posts the query and time as a form, and sends URL credentials as basic auth', async () => {
    const fetch = answer(200, { status: 'success', data: { resultType: 'scalar', result: [1, '7'] } });
    const client = new PrometheusClient({ url: 'http://user:p%40ss@prom.example:9090/', timeoutMs: 1500 });
    expect(client.url).toBe('http://prom.example:9090');
    expect(await client.instant('vector(7)', new Date(1_700_000_000_500))).toBe(7);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('http://prom.example:9090/api/v1/query');
    expect(Object.fromEntries(init!.body as URLSearchParams)).toEqual({
      query: 'vector(7)',
      timeout: '1.5',
      time: '1700000000.5',
    });
    expect((init!.headers as Record<string, string>).authorization).toBe(
      `Basic ${Buffer.from('user:p@ss').toString('base64')}`,
    );
  });

  it('classifies a timeout, an unavailable server and a body that is not the Prometheus API', async () => {
    const client = new PrometheusClient({ url: 'http://127.0.0.1:9090', timeoutMs: 100 });
    jest.spyOn(global, 'fetch').mockRejectedValue(new DOMException('timed out', 'TimeoutError'));
    await expect(client.instant('up')).rejects.toMatchObject({ code: 'TIMEOUT', retriable: true });

    answer(503, { status: 'error', errorType: 'unavailable', error: 'too many queries' });
    await expect(client.instant('up')).rejects.toMatchObject({
      code: 'FAILED',
      retriable: true,
      message: 'Prometheus could not evaluate "up": unavailable: too many queries',
    });

    answer(404, '<html>not here</html>');
    await expect(client.instant('up')).rejects.toMatchObject({
      code: 'FAILED',
      message: expect.stringContaining(
        'answered HTTP 404 without a Prometheus API body ("<html>not here</html>")',
      ),
    });
  });

  it('reads the special sample values', () => {
    expect(sampleValue([0, '+Inf'])).toBe(Infinity);
    expect(sampleValue([0, '-Inf'])).toBe(-Infinity);
    expect(sampleValue([0, 'NaN'])).toBeNaN();
    expect(sampleValue([0, '1e-3'])).toBe(0.001);
  });
});
