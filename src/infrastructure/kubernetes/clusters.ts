import { KubeConfig, KubernetesObjectApi, VersionApi } from '@kubernetes/client-node';
import type { Agent } from 'http';
import { KubernetesError, toKubernetesError } from './errors';

export interface ClusterInfo {
  /** The kubeconfig context name; every action names its cluster by it. */
  name: string;
  server: string;
}

export interface ClusterHealth extends ClusterInfo {
  reachable: boolean;
  version?: string;
  error?: string;
}

interface ClusterClients {
  info: ClusterInfo;
  config: KubeConfig;
  objects: KubernetesObjectApi;
  version: VersionApi;
}

/**
 * The clusters of a multi-context kubeconfig, one per context. The only module (with its
 * siblings in this folder) that imports @kubernetes/client-node.
 */
export class KubernetesClusters {
  private readonly clusters = new Map<string, ClusterClients>();

  constructor(kubeconfigPath: string) {
    const base = new KubeConfig();
    base.loadFromFile(kubeconfigPath);
    for (const context of base.getContexts()) {
      const config = new KubeConfig();
      config.loadFromFile(kubeconfigPath);
      config.setCurrentContext(context.name);
      reuseConnections(config);
      const server = config.getCluster(context.cluster)?.server;
      if (!server)
        throw new Error(
          `kubeconfig ${kubeconfigPath}: context ${context.name} names no cluster with a server`,
        );
      this.clusters.set(context.name, {
        info: { name: context.name, server },
        config,
        objects: KubernetesObjectApi.makeApiClient(config),
        version: config.makeApiClient(VersionApi),
      });
    }
    if (this.clusters.size === 0) throw new Error(`kubeconfig ${kubeconfigPath} has no contexts`);
  }

  list(): ClusterInfo[] {
    return [...this.clusters.values()].map((c) => c.info);
  }

  get(name: string): ClusterClients {
    const cluster = this.clusters.get(name);
    if (!cluster) {
      throw new KubernetesError(
        'UNKNOWN_CLUSTER',
        `unknown cluster "${name}"; configured: ${[...this.clusters.keys()].join(', ')}`,
        false,
      );
    }
    return cluster;
  }

  /** Reachability and server version of every cluster, each bounded by the timeout. */
  health(timeoutMs: number): Promise<ClusterHealth[]> {
    return Promise.all(
      [...this.clusters.values()].map(async ({ info, version }) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const answer = await Promise.race([
            version.getCode(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return { ...info, reachable: true, version: answer.gitVersion };
        } catch (error) {
          return {
            ...info,
            reachable: false,
            error: toKubernetesError(error, `GET ${info.server}/version`).message,
          };
        } finally {
          clearTimeout(timer);
        }
      }),
    );
  }
}

/**
 * client-node 1.4 builds a new agent for every request (kubernetes-client/javascript#2893), so
 * every call paid a new TCP and TLS handshake (50 GETs: 51 TLS connections, ~4 ms each) and
 * every watch reconnect left an agent behind. One keep-alive agent per context serves all its
 * calls; it is replaced, and the old one closed, only if the options the client passes change
 * (e.g. a client certificate an exec plugin rotated). It reaches the private createAgent of the
 * pinned 1.4.0.
 */
function reuseConnections(config: KubeConfig): void {
  type CreateAgent = (cluster: unknown, options: Record<string, unknown>) => Agent;
  const internals = config as unknown as { createAgent: CreateAgent };
  const create = internals.createAgent.bind(config);
  let current: { key: string; agent: Agent } | undefined;
  internals.createAgent = (cluster, options) => {
    const key = JSON.stringify(options);
    if (current?.key !== key) {
      current?.agent.destroy();
      current = { key, agent: create(cluster, { ...options, keepAlive: true }) };
    }
    return current.agent;
  };
}
