/**
 * The Exchange bridge's writer from the config's `exchange` section. The PowerShell shell starts lazily, only
 * when a decision routes a user to Exchange.
 */
import type { PhotoWriter } from '../sync/apply/writer.js';
import type { ExchangeConfig } from '../config/schema.js';
import { createExchangeWriter, type ExchangeWriterOptions } from '../powershell/exchange-writer.js';
import { createPowerShellRunner, type PowerShellRunner } from '../powershell/runner.js';

/** The writer's options from the config's `exchange` section (also what `hps doctor` opens a session with). */
export function exchangeWriterOptions(cfg: ExchangeConfig, runner: PowerShellRunner): ExchangeWriterOptions {
  return {
    runner,
    mode: cfg.mode,
    ...(cfg.connectionUri ? { connectionUri: cfg.connectionUri } : {}),
    ...(cfg.organization ? { organization: cfg.organization } : {}),
    ...(cfg.appId ? { appId: cfg.appId } : {}),
    ...(cfg.certificateThumbprint ? { certificateThumbprint: cfg.certificateThumbprint } : {}),
    ...(cfg.authentication ? { authentication: cfg.authentication } : {}),
    ...(cfg.usernameEnv && cfg.passwordEnv ? { credentialEnv: { user: cfg.usernameEnv, password: cfg.passwordEnv } } : {}),
    batchSize: cfg.batchSize,
  };
}

export function exchangeWriterFactory(cfg: ExchangeConfig | undefined, onStderr: (t: string) => void): (() => Promise<PhotoWriter>) | undefined {
  if (!cfg) return undefined;
  return async () => {
    const runner = createPowerShellRunner({
      ...(cfg.pwshPath ? { executable: cfg.pwshPath } : {}),
      defaultTimeoutMs: cfg.timeoutSeconds * 1000,
      onStderr,
    });
    const writer = createExchangeWriter(exchangeWriterOptions(cfg, runner));
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
