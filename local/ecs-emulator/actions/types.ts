import type { Behaviour } from '../behaviour';
import type { CloudAssistant } from '../cloud-assistant';
import type { EcsState } from '../state';

/** Request parameters, query and form together, as strings. */
export type Params = Readonly<Record<string, string | undefined>>;

export interface ActionContext {
  state: EcsState;
  behaviour: Behaviour;
  accountId: string;
  cloudAssistant: CloudAssistant;
}

/**
 * A validated request: the RAM resources it touches, checked before anything runs, and the
 * change itself, which runs synchronously so concurrent requests never see half of it.
 */
export interface ActionPlan {
  resources: string[];
  run(): Record<string, unknown>;
}

export type Action = (params: Params, context: ActionContext) => ActionPlan;
