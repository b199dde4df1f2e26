import type { Message } from '../shared/decider';
import type {
  CreateDeployment,
  DeleteDeployment,
  DeploymentCreated,
  DeploymentDeleted,
  DeploymentRejected,
  DeploymentRolledBack,
  DeploymentScaled,
  DeploymentUpdated,
  RollbackDeployment,
  ScaleDeployment,
  UpdateDeployment,
} from './contracts.generated';

export type DeploymentCommand =
  | Message<'CreateDeployment', CreateDeployment>
  | Message<'UpdateDeployment', UpdateDeployment>
  | Message<'ScaleDeployment', ScaleDeployment>
  | Message<'RollbackDeployment', RollbackDeployment>
  | Message<'DeleteDeployment', DeleteDeployment>;

export type DeploymentEvent =
  | Message<'DeploymentCreated', DeploymentCreated>
  | Message<'DeploymentUpdated', DeploymentUpdated>
  | Message<'DeploymentScaled', DeploymentScaled>
  | Message<'DeploymentRolledBack', DeploymentRolledBack>
  | Message<'DeploymentDeleted', DeploymentDeleted>
  | Message<'DeploymentRejected', DeploymentRejected>;
