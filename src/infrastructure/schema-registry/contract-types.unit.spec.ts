/**
 * Type-level test (STYLE.md practice 4, after castore's eventStore.type.test.ts): the generated
 * interfaces and what avsc decodes must have the same fields. It has two halves:
 *  - at run time (jest): each golden JSON fixture is exactly what avsc decodes from its bytes;
 *  - at compile time (`make typecheck`, which covers spec files): TypeScript types a JSON import by
 *    its actual keys, so `sameFields` below stops compiling when a field is missing, renamed,
 *    added or of another type in contracts.generated.ts compared with the decoded value.
 */
import createCommandV3 from '../../../schemas/avro/deployments/commands/fixtures/CreateDeployment.v3.json';
import deleteCommandV2 from '../../../schemas/avro/deployments/commands/fixtures/DeleteDeployment.v2.json';
import rollbackCommandV2 from '../../../schemas/avro/deployments/commands/fixtures/RollbackDeployment.v2.json';
import scaleCommandV2 from '../../../schemas/avro/deployments/commands/fixtures/ScaleDeployment.v2.json';
import updateCommandV2 from '../../../schemas/avro/deployments/commands/fixtures/UpdateDeployment.v2.json';
import recordOutcomeV1 from '../../../schemas/avro/deployments/commands/fixtures/RecordApplyOutcome.v1.json';
import recordStatusV1 from '../../../schemas/avro/deployments/commands/fixtures/RecordObservedStatus.v1.json';
import recordDriftV1 from '../../../schemas/avro/deployments/commands/fixtures/RecordDrift.v1.json';
import appliedV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentApplied.v1.json';
import applyFailedV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentApplyFailed.v1.json';
import statusObservedV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentStatusObserved.v1.json';
import driftDetectedV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentDriftDetected.v1.json';
import createdV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentCreated.v1.json';
import createdV2 from '../../../schemas/avro/deployments/events/fixtures/DeploymentCreated.v2.json';
import deletedV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentDeleted.v1.json';
import rejectedV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentRejected.v1.json';
import rolledBackV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentRolledBack.v1.json';
import scaledV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentScaled.v1.json';
import updatedV1 from '../../../schemas/avro/deployments/events/fixtures/DeploymentUpdated.v1.json';
import policyEvaluatedV1 from '../../../schemas/avro/deployments/events/fixtures/PolicyEvaluated.v1.json';
import policyDeniedV1 from '../../../schemas/avro/deployments/events/fixtures/PolicyDenied.v1.json';
import type * as contracts from '../../domain/deployments/contracts.generated';
import type * as policyContracts from '../../domain/policies/contracts.generated';
import policyCreatePolicyV1 from '../../../schemas/avro/policies/commands/fixtures/CreatePolicy.v1.json';
import policyPublishPolicyVersionV1 from '../../../schemas/avro/policies/commands/fixtures/PublishPolicyVersion.v1.json';
import policyEnablePolicyV1 from '../../../schemas/avro/policies/commands/fixtures/EnablePolicy.v1.json';
import policyDisablePolicyV1 from '../../../schemas/avro/policies/commands/fixtures/DisablePolicy.v1.json';
import policyDeletePolicyV1 from '../../../schemas/avro/policies/commands/fixtures/DeletePolicy.v1.json';
import policyPolicyCreatedV1 from '../../../schemas/avro/policies/events/fixtures/PolicyCreated.v1.json';
import policyPolicyVersionPublishedV1 from '../../../schemas/avro/policies/events/fixtures/PolicyVersionPublished.v1.json';
import policyPolicyEnabledV1 from '../../../schemas/avro/policies/events/fixtures/PolicyEnabled.v1.json';
import policyPolicyDisabledV1 from '../../../schemas/avro/policies/events/fixtures/PolicyDisabled.v1.json';
import policyPolicyDeletedV1 from '../../../schemas/avro/policies/events/fixtures/PolicyDeleted.v1.json';
import policyPolicyRejectedV1 from '../../../schemas/avro/policies/events/fixtures/PolicyRejected.v1.json';
import { loadCatalog } from './catalog';
import { readFixture } from './fixtures';

/** How TypeScript sees a JSON import of a T: enum literals widen to string, the rest keeps its shape. */
type AsJson<T> = T extends string
  ? string
  : T extends readonly (infer U)[]
    ? readonly AsJson<U>[]
    : T extends object
      ? { readonly [K in keyof T]: AsJson<T[K]> }
      : T;

/**
 * Compiles only when the decoded value J has every field of T with a matching type (AsJson<T>)
 * and no field T lacks (the `never` for extra keys).
 */
const sameFields =
  <T>() =>
  <J extends AsJson<T>>(decoded: J & Record<Exclude<keyof J, keyof T>, never>): J =>
    decoded;

// Latest version of every message, and the nested record they share.
sameFields<contracts.CreateDeployment>()(createCommandV3);
sameFields<contracts.UpdateDeployment>()(updateCommandV2);
sameFields<contracts.ScaleDeployment>()(scaleCommandV2);
sameFields<contracts.RollbackDeployment>()(rollbackCommandV2);
sameFields<contracts.DeleteDeployment>()(deleteCommandV2);
sameFields<contracts.PolicyEvaluated>()(policyEvaluatedV1);
sameFields<contracts.PolicyDenied>()(policyDeniedV1);
sameFields<contracts.DeploymentCreated>()(createdV2);
sameFields<contracts.DeploymentUpdated>()(updatedV1);
sameFields<contracts.DeploymentScaled>()(scaledV1);
sameFields<contracts.DeploymentRolledBack>()(rolledBackV1);
sameFields<contracts.DeploymentDeleted>()(deletedV1);
sameFields<contracts.DeploymentRejected>()(rejectedV1);
sameFields<contracts.Resources>()(createdV2.resources);
sameFields<contracts.RecordApplyOutcome>()(recordOutcomeV1);
sameFields<contracts.RecordObservedStatus>()(recordStatusV1);
sameFields<contracts.RecordDrift>()(recordDriftV1);
sameFields<contracts.DeploymentApplied>()(appliedV1);
sameFields<contracts.DeploymentApplyFailed>()(applyFailedV1);
sameFields<contracts.DeploymentStatusObserved>()(statusObservedV1);
sameFields<contracts.DeploymentDriftDetected>()(driftDetectedV1);
sameFields<policyContracts.CreatePolicy>()(policyCreatePolicyV1);
sameFields<policyContracts.PublishPolicyVersion>()(policyPublishPolicyVersionV1);
sameFields<policyContracts.EnablePolicy>()(policyEnablePolicyV1);
sameFields<policyContracts.DisablePolicy>()(policyDisablePolicyV1);
sameFields<policyContracts.DeletePolicy>()(policyDeletePolicyV1);
sameFields<policyContracts.PolicyCreated>()(policyPolicyCreatedV1);
sameFields<policyContracts.PolicyVersionPublished>()(policyPolicyVersionPublishedV1);
sameFields<policyContracts.PolicyEnabled>()(policyPolicyEnabledV1);
sameFields<policyContracts.PolicyDisabled>()(policyPolicyDisabledV1);
sameFields<policyContracts.PolicyDeleted>()(policyPolicyDeletedV1);
sameFields<policyContracts.PolicyRejected>()(policyPolicyRejectedV1);
// The check bites: a v1 DeploymentCreated lacks priorityClass, so only its upcast is a DeploymentCreated.
// @ts-expect-error Property 'priorityClass' is missing
sameFields<contracts.DeploymentCreated>()(createdV1);

describe('the JSON fixtures the type-level checks compile against', () => {
  const catalog = loadCatalog();
  const checked: [string, number, unknown][] = [
    ['sentinel.deployments.CreateDeployment', 3, createCommandV3],
    ['sentinel.deployments.UpdateDeployment', 2, updateCommandV2],
    ['sentinel.deployments.ScaleDeployment', 2, scaleCommandV2],
    ['sentinel.deployments.RollbackDeployment', 2, rollbackCommandV2],
    ['sentinel.deployments.DeleteDeployment', 2, deleteCommandV2],
    ['sentinel.deployments.PolicyEvaluated', 1, policyEvaluatedV1],
    ['sentinel.deployments.PolicyDenied', 1, policyDeniedV1],
    ['sentinel.deployments.DeploymentCreated', 1, createdV1],
    ['sentinel.deployments.DeploymentCreated', 2, createdV2],
    ['sentinel.deployments.DeploymentUpdated', 1, updatedV1],
    ['sentinel.deployments.DeploymentScaled', 1, scaledV1],
    ['sentinel.deployments.DeploymentRolledBack', 1, rolledBackV1],
    ['sentinel.deployments.DeploymentDeleted', 1, deletedV1],
    ['sentinel.deployments.DeploymentRejected', 1, rejectedV1],
    ['sentinel.deployments.RecordApplyOutcome', 1, recordOutcomeV1],
    ['sentinel.deployments.RecordObservedStatus', 1, recordStatusV1],
    ['sentinel.deployments.RecordDrift', 1, recordDriftV1],
    ['sentinel.deployments.DeploymentApplied', 1, appliedV1],
    ['sentinel.deployments.DeploymentApplyFailed', 1, applyFailedV1],
    ['sentinel.deployments.DeploymentStatusObserved', 1, statusObservedV1],
    ['sentinel.deployments.DeploymentDriftDetected', 1, driftDetectedV1],
    ['sentinel.policies.CreatePolicy', 1, policyCreatePolicyV1],
    ['sentinel.policies.PublishPolicyVersion', 1, policyPublishPolicyVersionV1],
    ['sentinel.policies.EnablePolicy', 1, policyEnablePolicyV1],
    ['sentinel.policies.DisablePolicy', 1, policyDisablePolicyV1],
    ['sentinel.policies.DeletePolicy', 1, policyDeletePolicyV1],
    ['sentinel.policies.PolicyCreated', 1, policyPolicyCreatedV1],
    ['sentinel.policies.PolicyVersionPublished', 1, policyPolicyVersionPublishedV1],
    ['sentinel.policies.PolicyEnabled', 1, policyPolicyEnabledV1],
    ['sentinel.policies.PolicyDisabled', 1, policyPolicyDisabledV1],
    ['sentinel.policies.PolicyDeleted', 1, policyPolicyDeletedV1],
    ['sentinel.policies.PolicyRejected', 1, policyPolicyRejectedV1],
  ];

  it.each(checked)('%s v%d is exactly what avsc decodes from its golden bytes', (fullName, v, json) => {
    const entry = catalog.entry(fullName);
    const version = catalog.version(fullName, v);
    const decoded: unknown = version.type.fromBuffer(readFixture(entry, version).bytes);
    expect(JSON.parse(JSON.stringify(decoded))).toStrictEqual(json);
  });

  it('covers the latest version of every deployments and policies message', () => {
    const latest = catalog.entries
      .filter((e) => ['deployments', 'policies'].includes(e.context) && e.kind !== 'type')
      .map((e) => `${e.fullName} v${e.latest.version}`);
    const covered = checked.map(([name, v]) => `${name} v${v}`);
    expect(latest.filter((l) => !covered.includes(l))).toEqual([]);
  });
});
