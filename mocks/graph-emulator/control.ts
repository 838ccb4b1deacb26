/**
 * The test/benchmark control surface: the EmulatorControl object, and the same over HTTP under
 * /_emulator/ (no auth; the server refuses non-loopback peers) for CLI use.
 */
import { EmulatorError, InvalidImageError } from './errors.js';
import type { FaultController } from './faults.js';
import { decodeSegments } from './http.js';
import { cloudReencode } from './image.js';
import type { RequestLog } from './log.js';
import { storedUser } from './state.js';
import type { TenantStore } from './store.js';
import type { TokenService } from './tokens.js';
import type { EmulatorControl, FaultConfig } from './types.js';

export function createControl(store: TenantStore, faults: FaultController, log: RequestLog, tokens: TokenService): EmulatorControl {
  const userOf = (idOrUpn: string) => {
    const u = store.resolve(idOrUpn);
    if (!u) throw new EmulatorError(`no user '${idOrUpn}' in the emulated tenant`);
    return u;
  };
  return {
    setFaults: (f) => faults.set(f),
    faults: () => faults.get(),
    requestLog: () => log.list(),
    clearLog: () => log.clear(),
    writeCounts: () => store.writeCounts(),
    corruptCloudPhoto(idOrUpn) {
      const user = userOf(idOrUpn);
      const photo = store.photo(user.id);
      if (!photo) throw new RangeError(`${idOrUpn} has no cloud photo to corrupt`);
      store.replacePhotoBytes(user.id, Buffer.from(photo.jpeg.subarray(0, Math.floor(photo.jpeg.length / 2))));
    },
    async setCloudPhoto(idOrUpn, bytes) {
      const user = userOf(idOrUpn);
      if (bytes === null) {
        store.deletePhoto(user.id);
        return;
      }
      store.setPhoto(user.id, await cloudReencode(bytes));
    },
    getStoredPhoto: (idOrUpn) => store.photo(userOf(idOrUpn).id)?.jpeg ?? null,
    setPhotoUpdateSettings(source) {
      store.settings = { ...store.settings, source };
    },
    addUser(u) {
      // A user added with an immutable id is a synced account, as Entra Connect would create it.
      const user = storedUser(store.tenantId, { ...u, onPremisesSyncEnabled: u.onPremisesImmutableId ? true : null });
      store.addUser(user);
      return user.id;
    },
    revokeTokens: () => tokens.revokeAll(),
  };
}

export interface ControlAnswer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | string;
}

const jsonAnswer = (status: number, value: unknown): ControlAnswer => ({
  status,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(value),
});

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8') || '{}');
  } catch {
    throw new RangeError('the body is not JSON');
  }
}

/** Handle /_emulator/<rest>; `rest` is the raw path after the prefix. */
export async function controlRequest(control: EmulatorControl, method: string, rest: string, body: Buffer): Promise<ControlAnswer> {
  const s = decodeSegments(rest);
  const m = method.toUpperCase();
  try {
    if (s[0] === 'faults' && s.length === 1) {
      if (m === 'GET') return jsonAnswer(200, control.faults());
      if (m === 'PUT' || m === 'PATCH') {
        const f = parseJson(body) as FaultConfig;
        control.setFaults(m === 'PATCH' ? { ...control.faults(), ...f } : f);
        return jsonAnswer(200, control.faults());
      }
    }
    if (s[0] === 'log' && s.length === 1) {
      if (m === 'GET') return jsonAnswer(200, control.requestLog());
      if (m === 'DELETE') {
        control.clearLog();
        return { status: 204, headers: {} };
      }
    }
    if (s[0] === 'write-counts' && s.length === 1 && m === 'GET') return jsonAnswer(200, control.writeCounts());
    if (s[0] === 'revoke-tokens' && s.length === 1 && m === 'POST') {
      control.revokeTokens();
      return { status: 204, headers: {} };
    }
    if (s[0] === 'photo-update-settings' && s.length === 1 && (m === 'PUT' || m === 'PATCH')) {
      const { source } = parseJson(body) as { source?: unknown };
      if (source !== 'cloud' && source !== 'onPremises') throw new RangeError("source must be 'cloud' or 'onPremises'");
      control.setPhotoUpdateSettings(source);
      return jsonAnswer(200, { source });
    }
    if (s[0] === 'users' && s.length === 3 && s[2] === 'photo' && s[1]) {
      if (m === 'GET') {
        const bytes = control.getStoredPhoto(s[1]);
        return bytes ? { status: 200, headers: { 'Content-Type': 'image/jpeg' }, body: bytes } : jsonAnswer(404, { error: 'no photo' });
      }
      if (m === 'PUT') {
        await control.setCloudPhoto(s[1], body);
        return { status: 204, headers: {} };
      }
      if (m === 'DELETE') {
        await control.setCloudPhoto(s[1], null);
        return { status: 204, headers: {} };
      }
    }
    return jsonAnswer(404, { error: `no control route ${m} /_emulator/${rest}` });
  } catch (err) {
    if (err instanceof RangeError || err instanceof InvalidImageError) return jsonAnswer(400, { error: err.message });
    if (err instanceof EmulatorError) return jsonAnswer(404, { error: err.message });
    throw err;
  }
}
