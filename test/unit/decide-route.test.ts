import assert from 'node:assert/strict';
import type { OnPremUser } from '../../src/model.js';
import { decideRoute, type RoutingConfig } from '../../src/sync/decide/route.js';

const user = (p: Partial<OnPremUser>): OnPremUser => ({ dn: 'CN=u,OU=Staff,DC=corp', objectGuid: 'g', immutableId: 'i', ...p });

describe('reconcile/route', () => {
  const withBridge: RoutingConfig = { defaultRoute: 'graph', onPremExchangeConfigured: true, overrides: [] };

  it('sends on-prem mailboxes (msExchRecipientTypeDetails=1) to the Exchange bridge when configured', () => {
    const d = decideRoute(user({ msExchRecipientTypeDetails: 1n }), withBridge);
    assert.equal(d.route, 'exchange-onprem');
    assert.match(d.why, /msExchRecipientTypeDetails=1/);
  });

  it('falls back to the default route for on-prem mailboxes without a bridge, and says so', () => {
    const d = decideRoute(user({ msExchRecipientTypeDetails: 1n }), { ...withBridge, onPremExchangeConfigured: false });
    assert.equal(d.route, 'graph');
    assert.match(d.why, /no Exchange bridge configured/);
  });

  it('sends RemoteUserMailbox and users without a mailbox to Graph', () => {
    assert.equal(decideRoute(user({ msExchRecipientTypeDetails: 2147483648n }), withBridge).route, 'graph');
    assert.equal(decideRoute(user({}), withBridge).route, 'graph');
  });

  it('uses the legacy route as default for legacy tenants', () => {
    const d = decideRoute(user({ msExchRecipientTypeDetails: 2147483648n }), { ...withBridge, defaultRoute: 'exchange-legacy' });
    assert.equal(d.route, 'exchange-legacy');
  });

  it('applies overrides by UPN and by DN suffix before anything else', () => {
    const cfg: RoutingConfig = {
      ...withBridge,
      overrides: [
        { upn: 'VIP@corp.example.com', route: 'exchange-legacy' },
        { dnSuffix: 'ou=staff,dc=corp', route: 'graph' },
      ],
    };
    assert.equal(decideRoute(user({ userPrincipalName: 'vip@corp.example.com', msExchRecipientTypeDetails: 1n }), cfg).route, 'exchange-legacy');
    const bySuffix = decideRoute(user({ msExchRecipientTypeDetails: 1n }), cfg);
    assert.equal(bySuffix.route, 'graph');
    assert.match(bySuffix.why, /override/);
  });
});
