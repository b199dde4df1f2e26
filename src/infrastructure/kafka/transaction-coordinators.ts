/**
 * kafkajs 2.2.4 asks a broker "who coordinates this transactional id?" (FindCoordinator) before
 * every AddPartitionsToTxn and every EndTxn: two extra round trips in each transaction, which is
 * two of the seven requests a one-command transaction costs. The answer only changes when the
 * coordinator moves (a broker failure or a partition reassignment of __transaction_state).
 *
 * This keeps each answer for a short time, per kafkajs cluster (one per producer): a moved
 * coordinator answers NOT_COORDINATOR, kafkajs's retrier asks again, and past `ttlMs` the question
 * reaches a broker. A disconnected broker is never handed out from the cache. Group coordinators
 * (consumers) are untouched: kafkajs's consumer group keeps its own.
 *
 * It reaches kafkajs's private Cluster class, so it is pinned to the version package.json pins;
 * `installed()` says whether the patch took, and an integration test counts the requests.
 */
import { createRequire } from 'module';

/** kafkajs's COORDINATOR_TYPES.TRANSACTION. */
const TRANSACTION = 1;

interface Broker {
  isConnected(): boolean;
}
interface FindArgs {
  groupId: string;
  coordinatorType?: number;
}
type Find = (this: object, args: FindArgs) => Promise<Broker>;
interface ClusterClass {
  prototype: { findGroupCoordinator: Find & { cachesTransactionCoordinators?: true } };
}

const known = new WeakMap<object, Map<string, { broker: Broker; until: number }>>();
let lifetimeMs = 1000;

function clusterClass(): ClusterClass | undefined {
  try {
    const load = createRequire(require.resolve('kafkajs'));
    const Cluster = load('./src/cluster/index.js') as ClusterClass;
    return typeof Cluster?.prototype?.findGroupCoordinator === 'function' ? Cluster : undefined;
  } catch {
    return undefined;
  }
}

/** Patches kafkajs once per process; later calls only change the lifetime. */
export function cacheTransactionCoordinators(options: { ttlMs: number } = { ttlMs: 1000 }): boolean {
  lifetimeMs = options.ttlMs;
  const Cluster = clusterClass();
  if (!Cluster) return false;
  const original = Cluster.prototype.findGroupCoordinator;
  if (original.cachesTransactionCoordinators) return true;
  const cached: Find & { cachesTransactionCoordinators?: true } = async function (this: object, args) {
    if (args.coordinatorType !== TRANSACTION) return original.call(this, args);
    let answers = known.get(this);
    if (!answers) known.set(this, (answers = new Map()));
    const hit = answers.get(args.groupId);
    if (hit && hit.until > Date.now() && hit.broker.isConnected()) return hit.broker;
    answers.delete(args.groupId);
    const broker = await original.call(this, args);
    answers.set(args.groupId, { broker, until: Date.now() + lifetimeMs });
    return broker;
  };
  cached.cachesTransactionCoordinators = true;
  Cluster.prototype.findGroupCoordinator = cached;
  return true;
}

/** Whether kafkajs's transaction coordinator lookups are cached in this process. */
export function installed(): boolean {
  return clusterClass()?.prototype.findGroupCoordinator.cachesTransactionCoordinators === true;
}
