import type { DeploymentCommand, DeploymentEvent } from './messages';

/** A refusal is an event too (DESIGN.md §3.4): the audit trail keeps what was tried. */
export const reject = (command: DeploymentCommand, reasons: string[]): DeploymentEvent[] => [
  {
    type: 'DeploymentRejected',
    data: { deploymentId: command.data.deploymentId, command: command.type, reasons },
  },
];
