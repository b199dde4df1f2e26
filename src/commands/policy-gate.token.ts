/** Nest token of the PolicyGate the change endpoints ask before sending a deployment command. */
export const POLICY_GATE = Symbol('POLICY_GATE');
