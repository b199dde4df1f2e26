import { Components } from './components';

describe('background roles in readiness', () => {
  it('is ready with no roles, and only once every role started is up', () => {
    const components = new Components();
    expect(components.allUp()).toBe(true);
    components.set('projections', 'starting');
    components.set('effects', 'up');
    expect(components.allUp()).toBe(false);
    components.set('projections', 'retrying', 'broker not reachable');
    expect(components.all()).toEqual({
      effects: { state: 'up' },
      projections: { state: 'retrying', error: 'broker not reachable' },
    });
    components.set('projections', 'up');
    expect(components.allUp()).toBe(true);
    expect(components.all()).toEqual({ effects: { state: 'up' }, projections: { state: 'up' } });
  });
});
