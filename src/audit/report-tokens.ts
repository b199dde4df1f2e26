/** DI tokens of the audit module. */
export const AUDIT_QUERIES = Symbol('AUDIT_QUERIES');
export const EVIDENCE_SERVICE = Symbol('EVIDENCE_SERVICE');
