// The SIS boundary as the rest of the hub sees it.
export type * from './contract.ts';
export * from './model.ts';
export { SisError, type SisErrorCode } from './errors.ts';
export { createConnector } from './registry.ts';
export { connectorSettings, redactSettings, SECRET_SETTING_KEYS, type ConnectorSettings, type ConnectorSettingsInput } from './settings.ts';
