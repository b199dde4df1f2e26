import { Watch, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../logging/logger';
import type { KubernetesClusters } from './clusters';
import type { KubernetesResources } from './resources';

export interface WatchTarget {
  cluster: string;
  apiVersion: string;
  kind: string;
  /** Resource name in URLs, e.g. `deployments`. */
  plural: string;
  namespace?: string;
  labelSelector?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent<T extends KubernetesObject> {
  type: WatchEventType;
  object: T;
}

export interface WatcherStats {
  lists: number;
  /** Watch connections opened from a known resourceVersion (after the first or a disconnect). */
  resumes: number;
  /** Full relists forced by 410 Gone (the resourceVersion had expired). */
  expired: number;
  resourceVersion?: string;
}

export interface WatcherOptions {
  /** Resume from a resourceVersion persisted earlier instead of listing first. */
  fromResourceVersion?: string;
  /** The server closes each watch after this long; the watcher resumes from its last version. */
  watchTimeoutSeconds?: number;
  logger?: Logger;
}

type Outcome = { kind: 'closed' } | { kind: 'expired' } | { kind: 'failed'; error: unknown };

/**
 * Level-triggered list+watch of one resource type on one cluster. It resumes from the last
 * resourceVersion after a disconnect, relists after 410 Gone, and reports each object change
 * once: a resync or relist that finds an object at the version already seen emits nothing,
 * and objects that vanished while disconnected are reported DELETED.
 */
export class ResourceWatcher<T extends KubernetesObject> {
  readonly stats: WatcherStats = { lists: 0, resumes: 0, expired: 0 };
  private readonly seen = new Map<string, { version: string; object: T }>();
  private running = false;
  private abort?: AbortController;
  private loop?: Promise<void>;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly clusters: KubernetesClusters,
    private readonly resources: KubernetesResources,
    private readonly target: WatchTarget,
    private readonly handle: (event: WatchEvent<T>) => void | Promise<void>,
    private readonly options: WatcherOptions = {},
  ) {
    this.stats.resourceVersion = options.fromResourceVersion;
  }

  /** Resolves once the first list (or resumed watch) is in place. */
  async start(): Promise<void> {
    this.running = true;
    if (this.stats.resourceVersion === undefined) await this.relist();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    await this.loop;
    await this.queue;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      const outcome = await this.watchOnce();
      if (!this.running) break;
      if (outcome.kind === 'expired') {
        this.stats.expired += 1;
        this.options.logger?.info({ target: this.describe() }, 'watch expired (410 Gone); relisting');
      }
      if (outcome.kind === 'failed') {
        failures += 1;
        const delay = Math.min(30_000, 250 * 2 ** Math.min(failures, 7)) * (0.5 + Math.random());
        this.options.logger?.warn(
          { target: this.describe(), err: outcome.error, retryInMs: Math.round(delay) },
          'watch failed; retrying',
        );
        await new Promise((r) => setTimeout(r, delay));
      } else failures = 0;
      if (outcome.kind === 'expired' || this.stats.resourceVersion === undefined)
        await this.relist().catch(() => undefined);
    }
  }

  private async relist(): Promise<void> {
    const { apiVersion, kind, namespace, labelSelector, cluster } = this.target;
    const list = await this.resources.list<T>(cluster, { apiVersion, kind, namespace, labelSelector });
    this.stats.lists += 1;
    const present = new Set<string>();
    for (const object of list.items) {
      present.add(keyOf(object));
      this.observe('ADDED', object);
    }
    for (const [key, { object }] of [...this.seen]) {
      if (!present.has(key)) this.observe('DELETED', object);
    }
    this.stats.resourceVersion = list.metadata?.resourceVersion;
    await this.queue;
  }

  private watchOnce(): Promise<Outcome> {
    this.stats.resumes += 1;
    return new Promise<Outcome>((resolve) => {
      let outcome: Outcome = { kind: 'closed' };
      const params = {
        resourceVersion: this.stats.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: this.options.watchTimeoutSeconds ?? 300,
        ...(this.target.labelSelector ? { labelSelector: this.target.labelSelector } : {}),
      };
      new Watch(this.clusters.get(this.target.cluster).config)
        .watch(
          this.path(),
          params,
          (type: string, object: T & { code?: number }) => {
            if (type === 'ERROR') {
              outcome =
                object.code === 410
                  ? { kind: 'expired' }
                  : { kind: 'failed', error: new Error(JSON.stringify(object)) };
              this.abort?.abort();
              return;
            }
            const version = object.metadata?.resourceVersion;
            if (type !== 'BOOKMARK') this.observe(type as WatchEventType, object);
            if (version) this.stats.resourceVersion = version;
          },
          (error: unknown) => {
            const aborted = (error as { name?: string } | null)?.name === 'AbortError';
            void this.queue.then(() =>
              resolve(error && !aborted && outcome.kind === 'closed' ? { kind: 'failed', error } : outcome),
            );
          },
        )
        .then((abort) => {
          this.abort = abort;
          // stop() ran while this watch was being opened: it had nothing to abort yet, and the
          // server would hold the watch open for up to timeoutSeconds.
          if (!this.running) abort.abort();
        })
        .catch((error: unknown) => resolve({ kind: 'failed', error }));
    });
  }

  /** Queues a change for the handler unless this exact version was already reported. */
  private observe(type: WatchEventType, object: T): void {
    const key = keyOf(object);
    const version = object.metadata?.resourceVersion ?? '';
    const known = this.seen.get(key);
    if (type === 'DELETED') {
      if (!known) return;
      this.seen.delete(key);
    } else {
      if (known?.version === version) return;
      this.seen.set(key, { version, object });
      type = known ? 'MODIFIED' : 'ADDED';
    }
    const event = { type, object };
    this.queue = this.queue.then(async () => {
      try {
        await this.handle(event);
      } catch (err) {
        this.options.logger?.error({ err, target: this.describe(), key }, 'watch handler failed');
      }
    });
  }

  private path(): string {
    const { apiVersion, namespace, plural } = this.target;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${base}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;
  }

  private describe(): string {
    const { cluster, kind, namespace, labelSelector } = this.target;
    return `${cluster}/${kind}${namespace ? ` in ${namespace}` : ''}${labelSelector ? ` [${labelSelector}]` : ''}`;
  }
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
