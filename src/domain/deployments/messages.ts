import type { Message } from '../shared/decider';
import type {
  CreateDeployment,
  DeleteDeployment,
  DeploymentApplied,
  DeploymentApplyFailed,
  DeploymentCreated,
  DeploymentDeleted,
  DeploymentDriftDetected,
  DeploymentRejected,
  DeploymentRolledBack,
  DeploymentScaled,
  DeploymentStatusObserved,
  DeploymentUpdated,
  PolicyDenied,
  PolicyEvaluated,
  RecordApplyOutcome,
  RecordDrift,
  RecordObservedStatus,
  RollbackDeployment,
  ScaleDeployment,
  UpdateDeployment,
} from './contracts.generated';

export type DeploymentCommand =
  | Message<'CreateDeployment', CreateDeployment>
  | Message<'UpdateDeployment', UpdateDeployment>
  | Message<'ScaleDeployment', ScaleDeployment>
  | Message<'RollbackDeployment', RollbackDeployment>
  | Message<'DeleteDeployment', DeleteDeployment>
  | Message<'RecordApplyOutcome', RecordApplyOutcome>
  | Message<'RecordObservedStatus', RecordObservedStatus>
  | Message<'RecordDrift', RecordDrift>;

export type DeploymentEvent =
  | Message<'DeploymentCreated', DeploymentCreated>
  | Message<'DeploymentUpdated', DeploymentUpdated>
  | Message<'DeploymentScaled', DeploymentScaled>
  | Message<'DeploymentRolledBack', DeploymentRolledBack>
  | Message<'DeploymentDeleted', DeploymentDeleted>
  | Message<'DeploymentRejected', DeploymentRejected>
  | Message<'DeploymentApplied', DeploymentApplied>
  | Message<'DeploymentApplyFailed', DeploymentApplyFailed>
  | Message<'DeploymentStatusObserved', DeploymentStatusObserved>
  | Message<'DeploymentDriftDetected', DeploymentDriftDetected>
  | Message<'PolicyEvaluated', PolicyEvaluated>
  | Message<'PolicyDenied', PolicyDenied>;

/** Commands that record what happened on a cluster, sent by the effect worker and the watches. */
export type OutcomeCommand = Extract<
  DeploymentCommand,
  { type: 'RecordApplyOutcome' | 'RecordObservedStatus' | 'RecordDrift' }
>;
