import { CommandBus } from '../src/eventing/command-bus';
import { CommandResultsFeed } from '../src/eventing/command-results-feed';
import { deployments } from '../src/eventing/contexts';
import { withFreshDatabase } from './support/database';
import { createDeployment } from './support/deployments';
import { testLogger, waitFor } from './support/env';
import { writeSide } from './support/write-side';

describe('command bus: outcome within the timeout, otherwise pending and looked up later', () => {
  it('answers with the outcome, or pending with an id whose outcome is recorded once processed', () =>
    withFreshDatabase(async (db) => {
      const ws = await writeSide();
      const feed = new CommandResultsFeed(ws.messaging, db, ws.topics.commandResults, testLogger());
      await feed.start(ws.prefix);
      let processor = ws.processor();
      try {
        await processor.start();
        const bus = new CommandBus(ws.sender, feed, 20_000);
        const created = await bus.dispatch({
          context: deployments,
          type: 'CreateDeployment',
          aggregateId: 'dep-bus',
          data: createDeployment('dep-bus'),
          actor: 'alice',
        });
        expect(created).toMatchObject({
          kind: 'completed',
          result: { status: 'accepted', version: 1, events: [{ type: 'DeploymentCreated' }] },
        });

        // No processor running: the caller is told "pending" after its timeout...
        await processor.stop();
        const impatient = new CommandBus(ws.sender, feed, 500);
        const pending = await impatient.dispatch({
          context: deployments,
          type: 'ScaleDeployment',
          aggregateId: 'dep-bus',
          data: { deploymentId: 'dep-bus', replicas: 5 },
          actor: 'alice',
          expectedVersion: 1,
        });
        expect(pending.kind).toBe('pending');
        const commandId = pending.kind === 'pending' ? pending.commandId : '';
        expect(await bus.lookup(commandId)).toBeUndefined();

        // ...and finds the outcome later, once a processor has handled the command.
        processor = ws.processor();
        await processor.start();
        const later = await waitFor('the recorded outcome', () => bus.lookup(commandId), 30_000);
        expect(later).toMatchObject({
          commandId,
          status: 'accepted',
          version: 2,
          events: [{ type: 'DeploymentScaled' }],
        });
        // The first outcome is what is recorded; a duplicate answer does not replace it.
        const again = await bus.dispatch({
          context: deployments,
          type: 'ScaleDeployment',
          aggregateId: 'dep-bus',
          data: { deploymentId: 'dep-bus', replicas: 5 },
          actor: 'alice',
          commandId,
        });
        expect(again).toMatchObject({ kind: 'completed', result: { duplicate: true, version: 2 } });
        expect(await bus.lookup(commandId)).toEqual(later);
      } finally {
        await processor.stop();
        await feed.stop();
        await ws.close();
      }
    }));
});
