// Generated from schemas/avro/access by `sentinel schemas codegen`; do not edit.
// A unit test regenerates this file and fails when it differs from the schemas.

/** Record a refused HTTP request for the audit trail. */
export interface RecordAccessDenial {
  readonly subject: string;
  readonly role: string;
  readonly status: number;
  readonly reason: string;
  readonly detail: string;
  readonly method: string;
  readonly path: string;
  readonly correlationId: string;
  readonly allowedRoles: readonly string[];
}

/** An HTTP request was refused: 401 or 403. */
export interface AccessDenied {
  readonly subject: string;
  readonly role: string;
  readonly status: number;
  readonly reason: string;
  readonly detail: string;
  readonly method: string;
  readonly path: string;
  readonly correlationId: string;
  readonly allowedRoles: readonly string[];
}
