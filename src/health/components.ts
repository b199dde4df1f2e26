/**
 * Background roles of this process (projections, effects) report how their start went, so
 * /readyz can say whether the process does all it was configured to do, not only whether its
 * dependencies answer. Each role starts in the background and retries, so "retrying" carries
 * the last error: that is what an operator needs to act on.
 */
export type ComponentState = 'starting' | 'up' | 'retrying';

export interface ComponentStatus {
  readonly state: ComponentState;
  readonly error?: string;
}

export class Components {
  private readonly states = new Map<string, ComponentStatus>();

  set(name: string, state: ComponentState, error?: string): void {
    this.states.set(name, error === undefined ? { state } : { state, error });
  }

  /** Every role this process started, by name; empty when it runs none in the background. */
  all(): Record<string, ComponentStatus> {
    return Object.fromEntries([...this.states].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  allUp(): boolean {
    return [...this.states.values()].every((s) => s.state === 'up');
  }
}

export const COMPONENTS = Symbol('COMPONENTS');
