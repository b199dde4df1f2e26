/** Injection tokens for the infrastructure the application modules depend on. */
export const CONFIG = Symbol('CONFIG');
export const LOGGER = Symbol('LOGGER');
export const MESSAGING = Symbol('MESSAGING');
export const SCHEMA_REGISTRY = Symbol('SCHEMA_REGISTRY');
export const DATABASE = Symbol('DATABASE');
export const KUBERNETES = Symbol('KUBERNETES');
