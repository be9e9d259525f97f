/**
 * The bench's own environment minus NODE_OPTIONS: tsx and jest put loader flags there, and
 * children that inherit them would start slower than FC's plain `node` does.
 */
export function plainNodeEnv(overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...overrides };
  delete env.NODE_OPTIONS;
  return env;
}

/**
 * s.yaml's NODE_OPTIONS for the deployed function, given to children that stand in for FC: none
 * by default (s.yaml explains why --enable-source-maps is left to operators).
 */
export const DEPLOYED_NODE_FLAGS: string[] = [];
