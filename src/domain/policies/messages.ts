import type { Message } from '../shared/decider';
import type {
  CreatePolicy,
  DeletePolicy,
  DisablePolicy,
  EnablePolicy,
  PolicyCreated,
  PolicyDeleted,
  PolicyDisabled,
  PolicyEnabled,
  PolicyRejected,
  PolicyVersionPublished,
  PublishPolicyVersion,
} from './contracts.generated';

export type PolicyCommand =
  | Message<'CreatePolicy', CreatePolicy>
  | Message<'PublishPolicyVersion', PublishPolicyVersion>
  | Message<'EnablePolicy', EnablePolicy>
  | Message<'DisablePolicy', DisablePolicy>
  | Message<'DeletePolicy', DeletePolicy>;

export type PolicyEvent =
  | Message<'PolicyCreated', PolicyCreated>
  | Message<'PolicyVersionPublished', PolicyVersionPublished>
  | Message<'PolicyEnabled', PolicyEnabled>
  | Message<'PolicyDisabled', PolicyDisabled>
  | Message<'PolicyDeleted', PolicyDeleted>
  | Message<'PolicyRejected', PolicyRejected>;

/** Lifecycle as a union: a deleted policy keeps nothing a command could act on. */
export type PolicyState =
  | { readonly status: 'Absent' }
  | {
      readonly status: 'Active';
      readonly name: string;
      readonly version: number;
      readonly enabled: boolean;
      /** Canonical JSON of the current version (see definition.ts). */
      readonly definition: string;
    }
  | { readonly status: 'Deleted' };

export const initialPolicyState = (): PolicyState => ({ status: 'Absent' });
