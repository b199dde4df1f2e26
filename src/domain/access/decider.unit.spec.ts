import { accessDecider } from './decider';

const denial = {
  subject: 'viewer-user',
  role: 'viewer',
  status: 403,
  reason: 'role_not_allowed',
  detail: 'role viewer may not call POST /v1/deployments',
  method: 'POST',
  path: '/v1/deployments',
  correlationId: 'c-1',
  allowedRoles: ['operator', 'admin', 'system'],
};

describe('access decider', () => {
  it('given any history, when a denial is recorded, then it becomes one AccessDenied with the same facts', () => {
    const state = accessDecider.evolve(accessDecider.initialState(), { type: 'AccessDenied', data: denial });
    const events = accessDecider.decide({ type: 'RecordAccessDenial', data: denial }, state, {
      now: '2026-11-27T10:00:00Z',
      actor: 'viewer-user',
      commandId: 'cmd-1',
    });
    expect(events).toEqual([{ type: 'AccessDenied', data: denial }]);
    expect(state.denials).toBe(1);
  });
});
