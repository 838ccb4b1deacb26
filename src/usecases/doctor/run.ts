/**
 * `hps doctor`'s checks in order: config, directory, photo folder, cloud, Exchange, state. A check that cannot
 * run because an earlier one failed is `skip` with the reason; the config failing skips everything after it.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import type { Env } from '../../config/secrets.js';
import { CHECK_IDS, type DoctorReport } from '../../report/doctor.js';
import { explain, fail, ok, skip, type Check } from './checks.js';
import { checkCloud } from './cloud.js';
import { checkDirectory } from './directory.js';
import { checkExchange, type ExchangeExtras } from './exchange.js';
import { checkPhotoFolder } from './folder.js';
import { checkState } from './state.js';

export interface DoctorDeps {
  configFile: string;
  env: Env;
  log: Logger;
  now?: () => Date;
  exchange?: ExchangeExtras;
  /** Called as each check finishes (progress on stderr). */
  onCheck?: (c: Check) => void;
}

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const generatedAt = (deps.now ?? (() => new Date()))().toISOString();
  const checks: Check[] = [];
  const add = (...cs: Check[]): void => {
    for (const c of cs) {
      checks.push(c);
      deps.onCheck?.(c);
    }
  };
  let cfg: Config;
  try {
    cfg = await loadConfig(resolve(deps.configFile));
    add(ok('config', `${deps.configFile}: ${cfg.directory.type} directory, tenant ${cfg.cloud.tenantId}${cfg.exchange ? `, Exchange ${cfg.exchange.mode}` : ''}`));
  } catch (err) {
    const { detail } = explain(err);
    add(fail('config', detail, 'Fix the config file (docs/configuration.md); the other checks need it.', 'config'));
    for (const id of CHECK_IDS.slice(1)) add(skip(id, 'not tried: no valid config'));
    return finish(generatedAt, deps.configFile, checks);
  }
  const dir = await checkDirectory(cfg, deps.env, deps.log);
  add(...dir.checks);
  add(await checkPhotoFolder(cfg, dir.sample));
  add(...(await checkCloud(cfg, deps.env, deps.log)));
  add(...(await checkExchange(cfg, deps.exchange)));
  add(...(await checkState(cfg, deps.env)));
  return finish(generatedAt, deps.configFile, checks);
}

function finish(generatedAt: string, configFile: string, checks: Check[]): DoctorReport {
  return { generatedAt, configFile, checks };
}
