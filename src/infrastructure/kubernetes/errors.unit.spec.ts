import { ApiException } from '@kubernetes/client-node';
import { toKubernetesError } from './errors';

const notFound = (kind: string, name: string) =>
  new ApiException(
    404,
    'HTTP-Code: 404',
    JSON.stringify({
      kind: 'Status',
      status: 'Failure',
      reason: 'NotFound',
      message: `${kind} "${name}" not found`,
      details: { name, kind },
      code: 404,
    }),
    {},
  );

describe('Kubernetes error classification', () => {
  it('retries a missing namespace, which someone may create later, and says what to do', () => {
    const e = toKubernetesError(notFound('namespaces', 'payments'), 'apply Deployment payments/llm');
    expect({ code: e.code, retriable: e.retriable }).toEqual({ code: 'NOT_FOUND', retriable: true });
    expect(e.message).toMatch(/namespaces "payments" not found; create the namespace/);
  });

  it('keeps other 404s permanent, and classifies by status otherwise', () => {
    expect(toKubernetesError(notFound('deployments', 'llm'), 'get').retriable).toBe(false);
    expect(toKubernetesError(new ApiException(422, 'x', '{"message":"bad"}', {}), 'apply')).toMatchObject({
      code: 'INVALID',
      retriable: false,
      message: 'apply: bad',
    });
    expect(toKubernetesError(new ApiException(503, 'x', 'down', {}), 'apply').retriable).toBe(true);
    expect(toKubernetesError(new Error('socket hang up'), 'apply')).toMatchObject({
      code: 'UNAVAILABLE',
      retriable: true,
    });
  });
});
