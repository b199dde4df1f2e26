import { canonicalJson } from '../domain/policies/definition';
import { parseDuration } from '../domain/policies/local-time';
import type { RecordedPolicy } from '../domain/policies/recorded';
import type { DeploymentFact, RateLimitRule } from '../domain/policies/types';
import { schemaNames } from './read-model-schema';
import type { Queryable } from './sql';

/** Where a deployment sits, as policies select and scope it. */
export interface Placement {
  readonly deploymentId: string;
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly team: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly replicas: number;
  readonly perReplica: DeploymentFact['perReplica'];
  readonly costPerReplicaHour: number;
  readonly readyReplicas?: number;
}

interface DeploymentRow {
  id: string;
  name: string;
  cluster: string;
  namespace: string;
  team: string;
  labels: Record<string, string>;
  replicas: number;
  resources: { cpu: string; memory: string; gpu: number };
  cost_per_replica_hour: number;
  observed_ready_replicas: number | null;
}

const COLUMNS = `id, name, cluster, namespace, team, labels, replicas, resources, cost_per_replica_hour,
  observed_ready_replicas`;

const toFact = (r: DeploymentRow): DeploymentFact => ({
  id: r.id,
  cluster: r.cluster,
  namespace: r.namespace,
  team: r.team,
  replicas: r.replicas,
  perReplica: { cpu: r.resources.cpu, memory: r.resources.memory, gpu: r.resources.gpu },
  costPerReplicaHour: r.cost_per_replica_hour,
});

/** Which recorded decisions count as earlier actions for a rate limit: those that were let through. */
const SCOPE_COLUMN: Record<RateLimitRule['per'], string> = {
  actor: 'actor',
  team: 'team',
  cluster: 'cluster',
  action: 'action',
};

/**
 * Reads the facts a policy decision needs from the read models (DESIGN.md §3.1: the edge gathers
 * them). They are as fresh as the projections (usually well under a second behind the log);
 * the decision records exactly what was read, so a later replay needs none of this.
 */
export class PolicyFactsReader {
  private readonly policies = schemaNames('policies').live;
  private readonly deployments = schemaNames('deployments').live;
  private readonly decisions = schemaNames('decisions').live;

  private enabledRead?: Promise<RecordedPolicy[]>;

  constructor(private readonly db: Queryable) {}

  /**
   * Enabled policies at their current version, with the canonical definition decisions record.
   * Callers asking while a read is in flight share it: a burst of changes then costs one query,
   * not one connection each; an answer is older than its question by at most that one query.
   */
  enabledPolicies(): Promise<RecordedPolicy[]> {
    this.enabledRead ??= this.readEnabled().finally(() => (this.enabledRead = undefined));
    return this.enabledRead;
  }

  private async readEnabled(): Promise<RecordedPolicy[]> {
    const { rows } = await this.db.query<{ id: string; version: number; definition: unknown }>(
      `SELECT id, version, definition FROM ${this.policies}.policies
       WHERE enabled AND status = 'Active' ORDER BY id`,
    );
    return rows.map((r) => ({ policyId: r.id, version: r.version, definition: canonicalJson(r.definition) }));
  }

  async placement(deploymentId: string): Promise<Placement | undefined> {
    const { rows } = await this.db.query<DeploymentRow>(
      `SELECT ${COLUMNS} FROM ${this.deployments}.deployments WHERE id = $1 AND status = 'Active'`,
      [deploymentId],
    );
    const r = rows[0];
    if (!r) return undefined;
    const { id: _id, ...fact } = toFact(r);
    return {
      ...fact,
      deploymentId: r.id,
      name: r.name,
      labels: r.labels,
      ...(r.observed_ready_replicas !== null && { readyReplicas: r.observed_ready_replicas }),
    };
  }

  /** Live deployments of the team anywhere, and of the namespace in its cluster: the quota and cost scopes. */
  async deploymentsInScope(p: Pick<Placement, 'cluster' | 'namespace' | 'team'>): Promise<DeploymentFact[]> {
    const { rows } = await this.db.query<DeploymentRow>(
      `SELECT ${COLUMNS} FROM ${this.deployments}.deployments
       WHERE status = 'Active' AND (team = $1 OR (cluster = $2 AND namespace = $3)) ORDER BY id`,
      [p.team, p.cluster, p.namespace],
    );
    return rows.map(toFact);
  }

  /**
   * Instants of the decisions that let a change through in the window before `now`, in the
   * rule's scope; at most `max + 1` are needed to decide, but all in the window are kept (up to
   * 10,000) so a what-if with a higher limit still counts right.
   */
  async recentActions(rule: RateLimitRule, value: string, now: Date): Promise<string[]> {
    const window = parseDuration(rule.window);
    if (window === undefined) return [];
    const { rows } = await this.db.query<{ at: Date }>(
      `SELECT at FROM ${this.decisions}.decisions
       WHERE outcome <> 'denied' AND ${SCOPE_COLUMN[rule.per]} = $1 AND at > $2 AND at <= $3
       ORDER BY at DESC LIMIT 10000`,
      [value, new Date(now.getTime() - window), now],
    );
    return rows.map((r) => r.at.toISOString()).reverse();
  }
}
