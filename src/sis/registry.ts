// Settings → connector. The hub stores settings (see SECRET_SETTING_KEYS for redaction) and
// calls this whenever it needs to talk to the SIS.
import type { SisConnector } from './contract.ts';
import { CsvConnector } from './csv/connector.ts';
import { EthosConnector } from './ethos/connector.ts';
import { PeopleSoftConnector } from './peoplesoft/connector.ts';
import { connectorSettings, type ConnectorSettingsInput } from './settings.ts';

/** Validates the settings (throws a ZodError naming the bad fields) and builds the connector. */
export function createConnector(input: ConnectorSettingsInput): SisConnector {
  const settings = connectorSettings.parse(input);
  switch (settings.kind) {
    case 'ethos':
      return new EthosConnector(settings);
    case 'peoplesoft':
      return new PeopleSoftConnector(settings);
    case 'csv':
      return new CsvConnector(settings);
  }
}
