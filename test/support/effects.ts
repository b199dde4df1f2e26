import type { KubernetesObject } from '@kubernetes/client-node';
import { fromHeaders } from '../../src/eventing/cloudevents';
import { deployments } from '../../src/eventing/contexts';
import { KubernetesClusters } from '../../src/infrastructure/kubernetes/clusters';
import { KubernetesResources, type ObjectRef } from '../../src/infrastructure/kubernetes/resources';
import type { IncomingRecord } from '../../src/messaging/ports';
import { Effects } from '../../src/sagas/effects';
import { randomName, testLogger, waitFor } from './env';
import { writeSide } from './write-side';

export interface LoggedEvent {
  readonly type: string;
  readonly version: number;
  readonly data: Record<string, unknown>;
}

/**
 * The effects role against the real stack: a write side on topics of its own, its command
 * processor, the clusters of the local kubeconfig, and namespaces of its own that `close()`
 * removes. Effects can be stopped and started again, as a restarted process would.
 */
export async function effectsStack() {
  const ws = await writeSide(3);
  const processor = ws.processor();
  await processor.start();
  const clusters = new KubernetesClusters(ws.config.kubernetes.kubeconfig!);
  const resources = new KubernetesResources(clusters);
  const eventsTopic = ws.topics.events('deployments');
  const records = await ws.collect(eventsTopic);
  const decoded = new Map<IncomingRecord, LoggedEvent>();
  const namespaces: { cluster: string; name: string }[] = [];
  const running: Effects[] = [];

  async function events(deploymentId: string): Promise<LoggedEvent[]> {
    const mine = records.filter((r) => r.key?.toString() === deploymentId);
    for (const r of mine) {
      if (decoded.has(r)) continue;
      const { data } = await ws.codec.decode(r.value!);
      const attrs = fromHeaders(r.headers);
      decoded.set(r, {
        type: attrs.type.replace('sentinel.deployments.', ''),
        version: attrs.version!,
        data: data as Record<string, unknown>,
      });
    }
    return mine.map((r) => decoded.get(r)!);
  }

  return {
    ws,
    clusters,
    resources,
    events,

    /** Another group name runs a second, independent worker, as a zombie or a duplicate would. */
    async startEffects(group = 'effects'): Promise<Effects> {
      const effects = new Effects({
        messaging: ws.messaging,
        codec: ws.codec,
        sender: ws.sender,
        eventsTopic,
        partitions: ws.partitions,
        groupId: `${ws.prefix}-${group}`,
        clusters,
        resources,
        logger: testLogger(),
        resyncIntervalMs: 5000,
        retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 1000 },
      });
      await effects.start();
      running.push(effects);
      return effects;
    },

    async stopEffects(): Promise<void> {
      await Promise.all(running.splice(0).map((e) => e.stop()));
    },

    async namespace(cluster: string): Promise<string> {
      const name = randomName('it-fx');
      await resources.apply(cluster, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'sentinel.io/test': 'effects-int' } },
      });
      namespaces.push({ cluster, name });
      return name;
    },

    async send(type: string, deploymentId: string, data: object): Promise<string> {
      const { commandId } = await ws.sender.send({
        context: deployments,
        type,
        aggregateId: deploymentId,
        data: { deploymentId, ...data },
        actor: 'alice',
      });
      return commandId;
    },

    /** The first event of this type (after `afterVersion`) that matches. */
    waitForEvent(
      deploymentId: string,
      type: string,
      match: (data: Record<string, unknown>) => boolean = () => true,
      timeoutMs = 60_000,
      afterVersion = 0,
    ): Promise<LoggedEvent> {
      return waitFor(
        `${type} of ${deploymentId}`,
        async () =>
          (await events(deploymentId)).find(
            (e) => e.type === type && e.version > afterVersion && match(e.data),
          ),
        timeoutMs,
      );
    },

    waitForObject<T>(
      cluster: string,
      ref: ObjectRef,
      done: (object: T | undefined) => boolean,
      timeoutMs = 60_000,
    ): Promise<T | undefined> {
      return waitFor(
        `${ref.kind} ${ref.namespace}/${ref.name} on ${cluster}`,
        async () => {
          const object = (await resources.get<KubernetesObject>(cluster, ref)) as T | undefined;
          return done(object) ? { object } : undefined;
        },
        timeoutMs,
      ).then((r) => r.object);
    },

    async close(): Promise<void> {
      await Promise.all(running.splice(0).map((e) => e.stop()));
      await processor.stop();
      await Promise.all(
        namespaces.map(({ cluster, name }) =>
          resources.remove(cluster, { apiVersion: 'v1', kind: 'Namespace', name }).catch(() => false),
        ),
      );
      await ws.close();
    },
  };
}

/** Small requests, so tests share the kwok nodes' CPU and GPUs with everything else. */
export const SMALL = { cpu: '100m', memory: '128Mi', gpu: 0 } as const;

/** Each (deployment, intent version, outcome) is recorded at most once. */
export function outcomeKeys(events: readonly LoggedEvent[]): string[] {
  return events
    .filter((e) => e.type === 'DeploymentApplied' || e.type === 'DeploymentApplyFailed')
    .map((e) => `${e.type}@${String(e.data.intentVersion)}`);
}
