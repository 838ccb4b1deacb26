/**
 * The Exchange bridge's writer from the config's `exchange` section. The PowerShell shell starts lazily, only
 * when a decision routes a user to Exchange.
 */
import type { PhotoWriter } from '../sync/apply/writer.js';
import type { ExchangeConfig } from '../config/schema.js';
import { createExchangeWriter } from '../powershell/exchange-writer.js';
import { createPowerShellRunner } from '../powershell/runner.js';

export function exchangeWriterFactory(cfg: ExchangeConfig | undefined, onStderr: (t: string) => void): (() => Promise<PhotoWriter>) | undefined {
  if (!cfg) return undefined;
  return async () => {
    const runner = createPowerShellRunner({
      ...(cfg.pwshPath ? { executable: cfg.pwshPath } : {}),
      defaultTimeoutMs: cfg.timeoutSeconds * 1000,
      onStderr,
    });
    const writer = createExchangeWriter({
      runner,
      mode: cfg.mode,
      ...(cfg.connectionUri ? { connectionUri: cfg.connectionUri } : {}),
      ...(cfg.organization ? { organization: cfg.organization } : {}),
      ...(cfg.appId ? { appId: cfg.appId } : {}),
      ...(cfg.certificateThumbprint ? { certificateThumbprint: cfg.certificateThumbprint } : {}),
      ...(cfg.authentication ? { authentication: cfg.authentication } : {}),
      ...(cfg.usernameEnv && cfg.passwordEnv ? { credentialEnv: { user: cfg.usernameEnv, password: cfg.passwordEnv } } : {}),
      batchSize: cfg.batchSize,
    });
    return {
      route: writer.route,
      setPhotos: (items) => writer.setPhotos(items),
      deletePhotos: (items) => writer.deletePhotos(items),
      close: async () => {
        await writer.close();
        await runner.dispose();
      },
    };
  };
}
