import { observedStatus } from './observed-status';

const deployment = (status: object, generation = 2) => ({
  metadata: { generation, annotations: { 'sentinel.io/revision': '3' } },
  spec: { replicas: 2 },
  status: { observedGeneration: 2, ...status },
});
const available = {
  type: 'Available',
  status: 'True',
  reason: 'MinimumReplicasAvailable',
  lastUpdateTime: 'x',
};

describe('observed status', () => {
  it('is Available once every wanted pod is updated and ready, without timestamps', () => {
    expect(
      observedStatus(
        'Deployment',
        deployment({ replicas: 2, updatedReplicas: 2, readyReplicas: 2, conditions: [available] }),
      ),
    ).toEqual({
      revision: 3,
      readyReplicas: 2,
      replicas: 2,
      phase: 'Available',
      conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: '' }],
    });
  });

  it('is Progressing while old pods remain, pods are not ready, or the spec is not yet seen', () => {
    const rolling = { replicas: 3, updatedReplicas: 2, readyReplicas: 3, conditions: [available] };
    expect(observedStatus('Deployment', deployment(rolling)).phase).toBe('Progressing');
    expect(
      observedStatus('StatefulSet', deployment({ replicas: 2, updatedReplicas: 2, readyReplicas: 1 })).phase,
    ).toBe('Progressing');
    const unseen = deployment({ replicas: 2, updatedReplicas: 2, readyReplicas: 2 }, 3);
    expect(observedStatus('Deployment', unseen).phase).toBe('Progressing');
  });

  it('is Failed when a Deployment exceeds its progress deadline', () => {
    const stuck = {
      type: 'Progressing',
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: 'too slow',
    };
    expect(observedStatus('Deployment', deployment({ conditions: [stuck] })).phase).toBe('Failed');
  });

  it('counts a Job by succeeded pods out of its completions, and follows its conditions', () => {
    const job = (conditions: { type: string; status: string }[], succeeded: number) => ({
      metadata: { annotations: { 'sentinel.io/revision': '1' } },
      spec: { completions: 2 },
      status: { succeeded, conditions },
    });
    expect(observedStatus('Job', job([], 1))).toMatchObject({
      phase: 'Progressing',
      readyReplicas: 1,
      replicas: 2,
    });
    expect(observedStatus('Job', job([{ type: 'Complete', status: 'True' }], 2)).phase).toBe('Complete');
    expect(observedStatus('Job', job([{ type: 'Failed', status: 'True' }], 0)).phase).toBe('Failed');
  });
});
