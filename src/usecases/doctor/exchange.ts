/**
 * Doctor checks of the Exchange bridge, when configured: a PowerShell that answers, and an Exchange session
 * that opens (Connect-Exchange.ps1 through the real writer; nothing is written).
 */
import type { Config } from '../../config/schema.js';
import { createExchangeWriter, type ExchangeWriterOptions } from '../../powershell/exchange-writer.js';
import { findPowerShell, type ProbeResult } from '../../powershell/executable.js';
import { createPowerShellRunner } from '../../powershell/runner.js';
import { exchangeWriterOptions } from '../exchange.js';
import { explain, fail, failKindOf, ok, skip, type Check } from './checks.js';


/** Extra writer options (tests point the bridge at the Exchange stub module with these). */
export type ExchangeExtras = Partial<Pick<ExchangeWriterOptions, 'stubModulePath' | 'stubStorePath'>>;

export async function checkExchange(cfg: Config, extras: ExchangeExtras = {}): Promise<Check[]> {
  const x = cfg.exchange;
  if (!x) {
    const why = 'no "exchange" section: every user goes through Graph';
    return [skip('exchange-pwsh', why), skip('exchange-session', why)];
  }
  let probe: ProbeResult;
  try {
    probe = await findPowerShell({ configured: x.pwshPath });
  } catch (err) {
    const { detail, advice } = explain(err);
    return [fail('exchange-pwsh', detail, advice || 'Install PowerShell 7 (pwsh) or set exchange.pwshPath.'), skip('exchange-session', 'not tried: no PowerShell')];
  }
  const checks = [ok('exchange-pwsh', `${probe.executable} (PowerShell ${probe.version} ${probe.edition})`)];
  const runner = createPowerShellRunner({ executable: probe.executable, defaultTimeoutMs: x.timeoutSeconds * 1000 });
  try {
    const writer = createExchangeWriter({ ...exchangeWriterOptions(x, runner), ...extras });
    const failed = await writer.checkConnection();
    await writer.close();
    const where = writer.connectionUri ?? x.organization ?? '';
    checks.push(failed ? fail('exchange-session', `${x.mode} ${where}: ${failed.message}`, failed.advice) : ok('exchange-session', `${x.mode} session to ${where} opened and closed`));
  } catch (err) {
    const { detail, advice } = explain(err);
    checks.push(fail('exchange-session', detail, advice || 'Fix the exchange section of the config (docs/exchange-bridge.md).', failKindOf(err)));
  } finally {
    await runner.dispose();
  }
  return checks;
}
