import { KubernetesError } from '../infrastructure/kubernetes/errors';
import { PublishFailed } from '../messaging/ports';
import { backoffDelay, classify, withRetries } from './failures';
import { ManifestError } from './manifest';

const policy = { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

describe('classifying effect failures', () => {
  it.each([
    ['429 throttled', new KubernetesError('UNAVAILABLE', 'throttled', true, 429), true],
    ['503', new KubernetesError('UNAVAILABLE', 'down', true, 503), true],
    ['no connection', new KubernetesError('UNAVAILABLE', 'ECONNREFUSED', true), true],
    ['409 conflict', new KubernetesError('CONFLICT', 'stale', true, 409), true],
    ['422 invalid', new KubernetesError('INVALID', 'bad spec', false, 422), false],
    ['403 forbidden', new KubernetesError('FORBIDDEN', 'no', false, 403), false],
    ['unknown cluster', new KubernetesError('UNKNOWN_CLUSTER', 'nowhere', false), false],
    ['log unavailable', new PublishFailed('broker down', true), true],
    ['an object Sentinel refuses to build', new ManifestError('bad name'), false],
    ['a bug', new TypeError('x is undefined'), false],
  ])('%s', (_what, error, retriable) => {
    expect(classify(error)).toMatchObject({ retriable, reason: error.message });
  });
});

describe('retrying', () => {
  const clock = () => {
    const slept: number[] = [];
    return { slept, sleep: async (ms: number) => void slept.push(ms), random: () => 0.5 };
  };

  it('backs off exponentially with jitter, capped, and gives up after the last attempt', async () => {
    const c = clock();
    let calls = 0;
    const result = await withRetries(
      async () => {
        calls++;
        throw new KubernetesError('UNAVAILABLE', 'down', true, 503);
      },
      policy,
      c,
    );
    expect(result).toMatchObject({ ok: false, attempts: 4, failure: { retriable: true } });
    expect(calls).toBe(4);
    expect(c.slept).toEqual([50, 100, 125]);
  });

  it('stops at once on a permanent failure, and returns the value once it works', async () => {
    const c = clock();
    expect(
      await withRetries(
        async () => {
          throw new KubernetesError('INVALID', 'bad', false, 422);
        },
        policy,
        c,
      ),
    ).toMatchObject({ ok: false, attempts: 1, failure: { code: 'INVALID' } });
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw new KubernetesError('CONFLICT', 'stale', true, 409);
      return 'done';
    };
    expect(await withRetries(flaky, policy, c)).toEqual({ ok: true, value: 'done', attempts: 3 });
    expect(c.slept).toHaveLength(2);
  });

  it('spreads delays over the whole window (full jitter)', () => {
    expect(backoffDelay(3, policy, 0)).toBe(0);
    expect(backoffDelay(3, policy, 0.999)).toBe(249);
    expect(backoffDelay(10, policy, 0.999)).toBe(249);
  });
});
