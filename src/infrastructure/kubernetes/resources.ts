import { PatchStrategy, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesClusters } from './clusters';
import { toKubernetesError } from './errors';

/** Field manager of every change Sentinel makes, so ownership of fields is visible in the cluster. */
export const FIELD_MANAGER = 'sentinel';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** A complete object as Sentinel declares it; `spec`, `data` etc. are kind-specific. */
export type Manifest = KubernetesObject & {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
};

const describe = (cluster: string, ref: ObjectRef) =>
  `${cluster}: ${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;

/** Reads and writes objects on a named cluster; every failure becomes a classified KubernetesError. */
export class KubernetesResources {
  constructor(private readonly clusters: KubernetesClusters) {}

  /**
   * Server-side apply as field manager `sentinel`, forcing ownership of the fields we declare:
   * applying the same manifest twice is a no-op, and a hand edit of our fields is reverted.
   */
  async apply<T extends KubernetesObject>(cluster: string, manifest: Manifest): Promise<T> {
    const ref = toRef(manifest);
    try {
      return (await this.clusters
        .get(cluster)
        .objects.patch<KubernetesObject>(
          manifest,
          undefined,
          undefined,
          FIELD_MANAGER,
          true,
          PatchStrategy.ServerSideApply,
        )) as T;
    } catch (e) {
      throw toKubernetesError(e, `apply ${describe(cluster, ref)}`);
    }
  }

  /** Reads an object, or undefined when it does not exist. */
  async get<T extends KubernetesObject>(cluster: string, ref: ObjectRef): Promise<T | undefined> {
    try {
      return (await this.clusters.get(cluster).objects.read(header(ref))) as T;
    } catch (e) {
      const error = toKubernetesError(e, `get ${describe(cluster, ref)}`);
      if (error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Full update guarded by metadata.resourceVersion: a stale version fails with CONFLICT. */
  async replace<T extends KubernetesObject>(cluster: string, object: Manifest): Promise<T> {
    try {
      return (await this.clusters
        .get(cluster)
        .objects.replace<KubernetesObject>(object, undefined, undefined, FIELD_MANAGER)) as T;
    } catch (e) {
      throw toKubernetesError(e, `replace ${describe(cluster, toRef(object))}`);
    }
  }

  /** Deletes an object and its dependents in the background; true if it existed. */
  async remove(cluster: string, ref: ObjectRef): Promise<boolean> {
    try {
      await this.clusters
        .get(cluster)
        .objects.delete(header(ref), undefined, undefined, undefined, undefined, 'Background');
      return true;
    } catch (e) {
      const error = toKubernetesError(e, `delete ${describe(cluster, ref)}`);
      if (error.code === 'NOT_FOUND') return false;
      throw error;
    }
  }

  async list<T extends KubernetesObject>(
    cluster: string,
    type: { apiVersion: string; kind: string; namespace?: string; labelSelector?: string },
  ): Promise<KubernetesListObject<T>> {
    try {
      return await this.clusters
        .get(cluster)
        .objects.list<T>(
          type.apiVersion,
          type.kind,
          type.namespace,
          undefined,
          undefined,
          undefined,
          undefined,
          type.labelSelector,
        );
    } catch (e) {
      throw toKubernetesError(
        e,
        `list ${cluster}: ${type.kind}${type.namespace ? ` in ${type.namespace}` : ''}`,
      );
    }
  }
}

function toRef(m: Manifest): ObjectRef {
  return {
    apiVersion: m.apiVersion,
    kind: m.kind,
    name: m.metadata.name,
    ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}),
  };
}

function header(ref: ObjectRef) {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
  };
}
