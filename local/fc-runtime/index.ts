export { startFcRuntime } from './server';
export type {
  FcRuntime,
  FcRuntimeOptions,
  FunctionCredentials,
  InvocationRecord,
  RoleCredentialIssuer,
} from './server';
export type { CallerCredential } from './caller-auth';
export type { HttpTriggerConfig } from './function-config';
