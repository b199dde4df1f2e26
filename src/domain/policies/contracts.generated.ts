// Generated from schemas/avro/policies by `sentinel schemas codegen`; do not edit.
// A unit test regenerates this file and fails when it differs from the schemas.

/** Create a policy at version 1, enabled. */
export interface CreatePolicy {
  readonly policyId: string;
  readonly definition: string;
}

/** Remove the policy; the aggregate accepts no further commands. */
export interface DeletePolicy {
  readonly policyId: string;
}

/** Keep the policy but leave it out of decisions. */
export interface DisablePolicy {
  readonly policyId: string;
}

/** Let the policy take part in decisions again. */
export interface EnablePolicy {
  readonly policyId: string;
}

/** Publish a new definition of the policy as its next version. */
export interface PublishPolicyVersion {
  readonly policyId: string;
  readonly definition: string;
}

/** A policy was created at version 1. */
export interface PolicyCreated {
  readonly policyId: string;
  readonly name: string;
  readonly priority: number;
  readonly mode: string;
  readonly version: number;
  readonly enabled: boolean;
  readonly definition: string;
}

/** The policy was deleted; the aggregate accepts no further commands. */
export interface PolicyDeleted {
  readonly policyId: string;
}

/** The policy is kept but takes no part in decisions. */
export interface PolicyDisabled {
  readonly policyId: string;
}

/** The policy takes part in decisions. */
export interface PolicyEnabled {
  readonly policyId: string;
}

/** A command was refused by the domain; the audit trail keeps what was tried. */
export interface PolicyRejected {
  readonly policyId: string;
  readonly command: string;
  readonly reasons: readonly string[];
}

/** A new definition of the policy became its current version. */
export interface PolicyVersionPublished {
  readonly policyId: string;
  readonly name: string;
  readonly priority: number;
  readonly mode: string;
  readonly version: number;
  readonly definition: string;
}
