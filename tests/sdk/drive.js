#!/usr/bin/env node
// Drives the official Sinch Node SDK (@sinch/sdk-core 1.4.0 + @sinch/elastic-sip-trunking 1.4.0,
// unmodified) against a Sinch-compatible Elastic SIP Trunking server, calling every operation the
// SDK exposes once, in a sensible order. One JSON line per operation on stdout:
//   {"op": "...", "ok": true|false, "error"?: "...", "status"?: N, "body"?: ..., "note"?: "..."}
// Exit status: 0 when every operation succeeded, 1 when any failed, 2 on bad usage.
//
// Environment:
//   SINCH_BASE        e.g. http://127.0.0.1:8080  (authHostname = SINCH_BASE,
//                     elasticSipTrunkingHostname = SINCH_BASE + "/est")
//   SINCH_PROJECT_ID  the project (account) the operations act on
//   SINCH_KEY_ID      access key id       } the OAuth2 client credentials
//   SINCH_KEY_SECRET  access key secret   }
//   SINCH_ADD_PROJECT_IDS  comma list of sub-projects (child accounts) for projects.add
//   SINCH_CLIENT      optional: "core" (default: new SinchClient(...).elasticSipTrunking) or
//                     "service" (new ElasticSipTrunkingService(...) from @sinch/elastic-sip-trunking)
//   SINCH_VERBOSE=1   also print each operation's (abridged) result
'use strict';

const BASE = (process.env.SINCH_BASE || '').replace(/\/+$/, '');
const PROJECT_ID = process.env.SINCH_PROJECT_ID;
const KEY_ID = process.env.SINCH_KEY_ID;
const KEY_SECRET = process.env.SINCH_KEY_SECRET;
const VERBOSE = process.env.SINCH_VERBOSE === '1';

if (!BASE || !PROJECT_ID || !KEY_ID || !KEY_SECRET) {
  process.stderr.write('usage: SINCH_BASE=http://HOST:PORT SINCH_PROJECT_ID=... SINCH_KEY_ID=... '
    + 'SINCH_KEY_SECRET=... node drive.js\n');
  process.exit(2);
}

// ---- the client, exactly as a user constructs it ------------------------------------------------
const credentials = {
  projectId: PROJECT_ID,
  keyId: KEY_ID,
  keySecret: KEY_SECRET,
  authHostname: BASE,                              // token: POST {authHostname}/oauth2/token
  elasticSipTrunkingHostname: `${BASE}/est`,       // API:   {hostname}/v1/projects/{projectId}/...
};

let est;
if ((process.env.SINCH_CLIENT || 'core') === 'service') {
  const { ElasticSipTrunkingService } = require('@sinch/elastic-sip-trunking');
  est = new ElasticSipTrunkingService(credentials);
} else {
  const { SinchClient } = require('@sinch/sdk-core');
  est = new SinchClient(credentials).elasticSipTrunking;
}

// ---- reporting ----------------------------------------------------------------------------------
let failures = 0;

function describeError(e) {
  const out = { error: String((e && e.message) || e).replace(/\s+/g, ' ').trim() };
  if (e && typeof e.statusCode === 'number') out.status = e.statusCode;
  if (e && typeof e.data === 'string') {
    try { out.body = JSON.parse(e.data); } catch (_) { out.body = e.data; }
  }
  return out;
}

function abridge(value) {
  const text = JSON.stringify(value, (k, v) => (v instanceof Date ? v.toISOString() : v));
  return text && text.length > 600 ? text.slice(0, 600) + '…' : text;
}

function check(condition, message) {
  if (!condition) throw new Error(`unexpected answer: ${message}`);
}

// The fields the seed (shared/API-SURFACES.md §2) names for each object, as the SDK returns them.
const SEED_FIELDS = {
  trunk: ['id', 'name', 'hostName', 'topLevelDomain', 'domain', 'callsPerSecond', 'enableCallerName',
    'createTime', 'updateTime', 'projectId'],
  staticEndpoint: ['id', 'sipTrunkId', 'name', 'address', 'port', 'transport', 'priority', 'enabled',
    'createTime', 'updateTime'],
  registeredEndpoint: ['id', 'sipTrunkId', 'name', 'isRegistered', 'credentialUsername', 'transport', 'priority',
    'enabled', 'createTime', 'updateTime'],
  acl: ['id', 'name', 'enabled', 'ipRanges', 'trunks'],
  ipRange: ['id', 'description', 'ipAddress', 'range', 'accessControlListId'],
  credentialList: ['id', 'name', 'credentials'],
  credential: ['id', 'username'],
  countryPermission: ['isoCode', 'name', 'continent', 'countryDialingCodes', 'enabled'],
  // The seed names no fields for rules; these are the SDK's CallBlockingRule.
  callBlockingRule: ['id', 'name', 'direction', 'createTime', 'updateTime', 'projectId'],
};

function hasSeedFields(object, what) {
  check(object && typeof object === 'object', `${what} is not an object`);
  const missing = SEED_FIELDS[what].filter((f) => object[f] === undefined);
  check(missing.length === 0, `${what} lacks ${missing.join(', ')}`);
  if (what === 'acl') object.ipRanges.forEach((r) => hasSeedFields(r, 'ipRange'));
  if (what === 'credentialList') object.credentials.forEach((c) => hasSeedFields(c, 'credential'));
  if (['trunk', 'staticEndpoint', 'registeredEndpoint', 'callBlockingRule'].includes(what)) {
    check(object.createTime instanceof Date, `${what}.createTime is not a time the SDK revives`);
  }
  if (what === 'countryPermission') check(Array.isArray(object.countryDialingCodes), 'countryDialingCodes');
}

// Runs one operation; `fn` returns the result (or throws). Returns the result, or undefined on failure.
async function op(name, fn, options = {}) {
  if (options.needs && options.needs.some((x) => x === undefined || x === null)) {
    failures += 1;
    console.log(JSON.stringify({ op: name, ok: false, error: 'skipped: a prerequisite operation failed' }));
    return undefined;
  }
  try {
    const result = await fn();
    const line = { op: name, ok: true };
    if (options.note) line.note = typeof options.note === 'function' ? options.note(result) : options.note;
    if (VERBOSE) line.result = abridge(result);
    console.log(JSON.stringify(line));
    return result === undefined ? true : result;
  } catch (e) {
    failures += 1;
    console.log(JSON.stringify({ op: name, ok: false, ...describeError(e) }));
    return undefined;
  }
}

// ---- the run ------------------------------------------------------------------------------------
const tag = `sdk${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

async function main() {
  // --- trunks --------------------------------------------------------------------------------------
  const trunk = await op('sipTrunks.create', async () => {
    const t = await est.sipTrunks.create({
      createSipTrunkRequestBody: { name: `${tag} main`, hostName: `${tag}-main`, enableCallerName: false },
    });
    check(t && typeof t.id === 'string' && t.id.length > 0, 'no trunk id');
    hasSeedFields(t, 'trunk');
    check(t.domain === `${t.hostName}${t.topLevelDomain}`, `domain ${t.domain}`);
    check(t.projectId === PROJECT_ID, 'projectId');
    return t;
  });
  const trunkId = trunk && trunk.id;

  await op('sipTrunks.get', async () => {
    const t = await est.sipTrunks.get({ sipTrunkId: trunkId });
    check(t.id === trunkId, 'another trunk');
    hasSeedFields(t, 'trunk');
    return t;
  }, { needs: [trunkId] });

  await op('sipTrunks.update', async () => {
    const t = await est.sipTrunks.update({
      sipTrunkId: trunkId,
      updateSipTrunkRequestBody: { name: `${tag} main renamed`, hostName: `${tag}-main`, enableCallerName: true },
    });
    check(t.name === `${tag} main renamed`, `name not updated (${t.name})`);
    return t;
  }, { needs: [trunkId] });

  // Two more trunks so that a page of 2 is not the whole list.
  const extraTrunks = [];
  for (const n of [1, 2]) {
    const t = await op(`sipTrunks.create#extra${n}`, async () => {
      const created = await est.sipTrunks.create({
        createSipTrunkRequestBody: { name: `${tag} extra ${n}`, hostName: `${tag}-x${n}` },
      });
      check(created && created.id, 'no trunk id');
      return created;
    });
    if (t) extraTrunks.push(t.id);
  }

  await op('sipTrunks.list+nextPage(size=2)', async () => {
    const page1 = await est.sipTrunks.list({ page: 1, size: 2 });
    check(Array.isArray(page1.data), 'data is not an array');
    check(page1.data.length <= 2, `page 1 has ${page1.data.length} items for size=2 (size ignored?)`);
    check(page1.hasNextPage === true, `hasNextPage=${page1.hasNextPage} with >= 3 trunks and size=2`);
    const page2 = await page1.nextPage();
    check(Array.isArray(page2.data) && page2.data.length >= 1, 'page 2 is empty');
    const ids1 = new Set(page1.data.map((t) => t.id));
    check(page2.data.every((t) => !ids1.has(t.id)), 'page 2 repeats page 1');
    return { page1: page1.data.length, page2: page2.data.length, nextPageValue: page1.nextPageValue };
  }, { needs: [trunkId], note: (r) => r });

  await op('sipTrunks.list(auto-iterate, size=2)', async () => {
    let count = 0;
    const seen = new Set();
    for await (const t of est.sipTrunks.list({ size: 2 })) {
      check(!seen.has(t.id), `trunk ${t.id} seen twice`);
      seen.add(t.id);
      count += 1;
      if (count > 10000) throw new Error('iteration does not end');
    }
    check(seen.has(trunkId), 'the created trunk is not listed');
    return { count };
  }, { needs: [trunkId], note: (r) => r });

  await op('sipTrunks.list(domain filter)', async () => {
    const page = await est.sipTrunks.list({ domain: trunk.domain });
    check(page.data.length === 1 && page.data[0].id === trunkId, `${page.data.length} trunks for the domain`);
    return page.data;
  }, { needs: [trunkId, trunk && trunk.domain] });

  // --- credential lists and credentials ----------------------------------------------------------
  const credentialList = await op('credentialLists.create', async () => {
    const c = await est.credentialLists.create({
      createCredentialListRequestBody: {
        name: `${tag} users`,
        credentials: [{ username: `${tag}u1`, password: 'Secret-Password-1' }],
      },
    });
    check(c && c.id, 'no credential list id');
    return c;
  });
  const credentialListId = credentialList && credentialList.id;

  await op('credentialLists.get', async () => {
    const c = await est.credentialLists.get({ id: credentialListId });
    check(c.id === credentialListId, 'another list');
    hasSeedFields(c, 'credentialList');
    check(c.credentials.every((x) => x.password === undefined), 'a password is rendered');
    check(Array.isArray(c.credentials) && c.credentials.some((x) => x.username === `${tag}u1`), 'credential missing');
    return c;
  }, { needs: [credentialListId] });

  await op('credentialLists.list', async () => {
    const page = await est.credentialLists.list({ page: 1, size: 100 });
    check(page.data.some((c) => c.id === credentialListId), 'created list not listed');
    return page.data.length;
  }, { needs: [credentialListId] });

  await op('credentialLists.update', async () => {
    const c = await est.credentialLists.update({
      id: credentialListId,
      updateCredentialListRequestBody: { name: `${tag} users renamed` },
    });
    check(c.name === `${tag} users renamed`, 'name not updated');
    check(Array.isArray(c.credentials) && c.credentials.length === 1,
      `a PUT of {name} changed the credentials (${c.credentials && c.credentials.length})`);
    return c;
  }, { needs: [credentialListId] });

  await op('credentialLists.updateCredential(new user)', async () => {
    const c = await est.credentialLists.updateCredential({
      id: credentialListId,
      username: `${tag}u2`,
      updateCredentialPasswordRequestBody: { password: 'Secret-Password-2' },
    });
    check(c && c.username === `${tag}u2`, 'username not answered');
    return c;
  }, { needs: [credentialListId] });

  await op('credentialLists.updateCredential(password)', async () => est.credentialLists.updateCredential({
    id: credentialListId,
    username: `${tag}u1`,
    updateCredentialPasswordRequestBody: { password: 'Secret-Password-1b' },
  }), { needs: [credentialListId] });

  await op('credentialLists.deleteCredential', async () => est.credentialLists.deleteCredential({
    id: credentialListId, username: `${tag}u2`,
  }), { needs: [credentialListId] });

  // --- access control lists and IP ranges --------------------------------------------------------
  const acl = await op('accessControlList.create', async () => {
    const a = await est.accessControlList.create({
      createAccessControlListBody: {
        name: `${tag} office`,
        enabled: true,
        ipRanges: [{ description: 'office', ipAddress: '203.0.113.0', range: 24 }],
      },
    });
    check(a && a.id, 'no ACL id');
    return a;
  });
  const aclId = acl && acl.id;

  await op('accessControlList.get', async () => {
    const a = await est.accessControlList.get({ id: aclId });
    check(a.id === aclId && Array.isArray(a.ipRanges) && a.ipRanges.length === 1, 'ACL or its ranges');
    hasSeedFields(a, 'acl');
    return a;
  }, { needs: [aclId] });

  await op('accessControlList.list', async () => {
    const page = await est.accessControlList.list({ page: 1, size: 100 });
    check(page.data.some((a) => a.id === aclId), 'created ACL not listed');
    return page.data.length;
  }, { needs: [aclId] });

  await op('accessControlList.update', async () => {
    const a = await est.accessControlList.update({
      id: aclId,
      updateAccessControlListRequestBody: { name: `${tag} office renamed`, enabled: true },
    });
    check(a.name === `${tag} office renamed`, 'name not updated');
    return a;
  }, { needs: [aclId] });

  await op('accessControlList.update(ipRanges)', async () => {
    const a = await est.accessControlList.update({
      id: aclId,
      updateAccessControlListRequestBody: {
        name: `${tag} office renamed`, enabled: true,
        ipRanges: [{ description: 'office main', ipAddress: '203.0.113.0', range: 24 }],
      },
    });
    check(a.ipRanges.length === 1 && a.ipRanges[0].description === 'office main', 'ranges not replaced');
    return a;
  }, { needs: [aclId] });

  const range = await op('accessControlList.addIpRange', async () => {
    const r = await est.accessControlList.addIpRange({
      accessControlListId: aclId,
      addIpRangeRequestBody: { description: 'home', ipAddress: '198.51.100.7', range: 32 },
    });
    check(r && r.id, 'no range id');
    hasSeedFields(r, 'ipRange');
    return r;
  }, { needs: [aclId] });
  const rangeId = range && range.id;

  await op('accessControlList.listIpRanges', async () => {
    const page = await est.accessControlList.listIpRanges({ accessControlListId: aclId, page: 1, size: 100 });
    check(page.data.length === 2, `${page.data.length} ranges`);
    return page.data.length;
  }, { needs: [aclId] });

  await op('accessControlList.updateIpRange', async () => {
    const r = await est.accessControlList.updateIpRange({
      accessControlListId: aclId,
      ipRangeId: rangeId,
      updateIpRangeRequestBody: { ipAddress: '198.51.100.8', range: 32 },
    });
    check(r.ipAddress === '198.51.100.8', 'address not updated');
    return r;
  }, { needs: [aclId, rangeId] });

  await op('accessControlList.deleteIpRange', async () => est.accessControlList.deleteIpRange({
    accessControlListId: aclId, ipRangeId: rangeId,
  }), { needs: [aclId, rangeId] });

  // --- trunk <-> ACL and trunk <-> credential list bindings ---------------------------------------
  await op('sipTrunks.addAccessControlList', async () => {
    const r = await est.sipTrunks.addAccessControlList({
      trunkId, addAccessControlListToTrunkRequestBody: { accessControlListIds: [aclId] },
    });
    check(r && Array.isArray(r.accessControlListIds) && r.accessControlListIds.includes(aclId), 'ids not answered');
    return r;
  }, { needs: [trunkId, aclId] });

  await op('accessControlList.addToTrunk(same ACL again)', async () => est.accessControlList.addToTrunk({
    trunkId, addAccessControlListToTrunkRequestBody: { accessControlListIds: [aclId] },
  }), { needs: [trunkId, aclId] });

  await op('sipTrunks.listAccessControlLists', async () => {
    const page = await est.sipTrunks.listAccessControlLists({ trunkId, page: 1, size: 100 });
    check(page.data.includes(aclId), `ACL not in ${JSON.stringify(page.data)}`);
    return page.data;
  }, { needs: [trunkId, aclId] });

  await op('accessControlList.listForTrunk', async () => {
    const page = await est.accessControlList.listForTrunk({ trunkId });
    check(page.data.includes(aclId), `ACL not in ${JSON.stringify(page.data)}`);
    return page.data;
  }, { needs: [trunkId, aclId] });

  await op('sipTrunks.addCredentialLists', async () => {
    const r = await est.sipTrunks.addCredentialLists({
      trunkId, addCredentialListIdsToTrunkRequestBody: { credentialListIds: [credentialListId] },
    });
    check(r && Array.isArray(r.credentialListIds) && r.credentialListIds.includes(credentialListId), 'ids not answered');
    return r;
  }, { needs: [trunkId, credentialListId] });

  await op('sipTrunks.updateCredentialLists', async () => {
    const r = await est.sipTrunks.updateCredentialLists({
      trunkId, updateCredentialListIdsForTrunkRequestBody: { credentialListIds: [credentialListId] },
    });
    check(r && Array.isArray(r.credentialListIds) && r.credentialListIds.length === 1, 'ids not answered');
    return r;
  }, { needs: [trunkId, credentialListId] });

  await op('sipTrunks.listCredentialLists', async () => {
    const page = await est.sipTrunks.listCredentialLists({ trunkId, page: 1, size: 100 });
    // The SDK reads the key `credentialLists` (typed CredentialList[]).
    check(page.data.length === 1, `${page.data.length} items under "credentialLists"`);
    const first = page.data[0];
    check(first && first.id === credentialListId, 'another credential list');
    return page.data;
  }, { needs: [trunkId, credentialListId] });

  await op('credentialLists.listTrunks', async () => {
    const page = await est.credentialLists.listTrunks({ id: credentialListId, page: 1, size: 100 });
    check(page.data.some((t) => t.id === trunkId), 'trunk not listed');
    return page.data.length;
  }, { needs: [trunkId, credentialListId] });

  // --- endpoints (static and registered) ---------------------------------------------------------
  const staticEndpoint = await op('sipEndpoints.create(static)', async () => {
    const e = await est.sipEndpoints.create({
      sipTrunkId: trunkId,
      createSipEndpointRequestBody: {
        name: `${tag} pbx`, address: '203.0.113.10', port: 5060, transport: 'UDP', priority: 1, enabled: true,
      },
    });
    check(e && e.id, 'no endpoint id');
    hasSeedFields(e, 'staticEndpoint');
    return e;
  }, { needs: [trunkId] });
  const staticId = staticEndpoint && staticEndpoint.id;

  const registeredEndpoint = await op('sipEndpoints.create(registered)', async () => {
    const e = await est.sipEndpoints.create({
      sipTrunkId: trunkId,
      createSipEndpointRequestBody: {
        name: `${tag} phone`, isRegistered: true, credentialUsername: `${tag}u1`, transport: 'TLS',
        priority: 2, enabled: true,
      },
    });
    check(e && e.id, 'no endpoint id');
    check(e.isRegistered === true, 'not registered');
    hasSeedFields(e, 'registeredEndpoint');
    return e;
  }, { needs: [trunkId] });
  const registeredId = registeredEndpoint && registeredEndpoint.id;

  await op('sipEndpoints.get', async () => {
    const e = await est.sipEndpoints.get({ sipTrunkId: trunkId, sipEndpointId: staticId });
    check(e.id === staticId && e.address === '203.0.113.10', 'endpoint');
    return e;
  }, { needs: [trunkId, staticId] });

  await op('sipEndpoints.update', async () => {
    const e = await est.sipEndpoints.update({
      sipTrunkId: trunkId,
      sipEndpointId: staticId,
      updateSipEndpointRequestBody: {
        name: `${tag} pbx`, address: '203.0.113.11', port: 5080, transport: 'TCP', priority: 1, enabled: true,
      },
    });
    check(e.address === '203.0.113.11' && e.port === 5080, 'not updated');
    return e;
  }, { needs: [trunkId, staticId] });

  await op('sipEndpoints.list', async () => {
    const page = await est.sipEndpoints.list({ sipTrunkId: trunkId, page: 1, size: 100 });
    check(page.data.length === 2, `${page.data.length} endpoints`);
    return page.data.length;
  }, { needs: [trunkId] });

  await op('sipEndpoints.delete(registered)', async () => est.sipEndpoints.delete({
    sipTrunkId: trunkId, sipEndpointId: registeredId,
  }), { needs: [trunkId, registeredId] });

  // --- country permissions -----------------------------------------------------------------------
  await op('countryPermissions.list', async () => {
    const r = await est.countryPermissions.list();
    check(r && Array.isArray(r.countryPermissions) && r.countryPermissions.length > 0, 'no countryPermissions');
    return r.countryPermissions.length;
  }, { note: (n) => ({ countries: n }) });

  const se = await op('countryPermissions.get', async () => {
    const c = await est.countryPermissions.get({ isoCode: 'SE' });
    check(c && c.isoCode === 'SE' && typeof c.enabled === 'boolean', 'country');
    hasSeedFields(c, 'countryPermission');
    check(c.countryDialingCodes.includes('+46') || c.countryDialingCodes.includes('46'), 'SE dialing code');
    return c;
  });

  await op('countryPermissions.update', async () => {
    const c = await est.countryPermissions.update({
      isoCode: 'SE', updateCountryPermissionRequestBody: { enabled: !se.enabled },
    });
    check(c.enabled === !se.enabled, 'not changed');
    return c;
  }, { needs: [se] });

  await op('countryPermissions.update(restore)', async () => est.countryPermissions.update({
    isoCode: 'SE', updateCountryPermissionRequestBody: { enabled: se.enabled },
  }), { needs: [se] });

  // --- call blocking rules (the SDK's model: direction, callerMatch/calleeMatch, callerCountry/calleeCountry)
  const rule = await op('callBlockingRules.create', async () => {
    const r = await est.callBlockingRules.create({
      createCallBlockingRuleRequestBody: { name: `${tag} block`, direction: 'INBOUND', callerMatch: '+4670' },
    });
    check(r && r.id, 'no rule id');
    hasSeedFields(r, 'callBlockingRule');
    check(r.direction === 'INBOUND' && r.callerMatch === '+4670', `rule ${JSON.stringify(r)}`);
    return r;
  });
  const ruleId = rule && rule.id;

  await op('callBlockingRules.list', async () => {
    const page = await est.callBlockingRules.list({ page: 1, size: 100, sort: ['name,ascending'] });
    check(page.data.some((r) => r.id === ruleId), 'rule not listed');
    return page.data.length;
  }, { needs: [ruleId] });

  await op('callBlockingRules.update', async () => {
    const r = await est.callBlockingRules.update({
      id: ruleId,
      updateCallBlockingRuleRequestBody: { name: `${tag} block`, direction: 'OUTBOUND', calleeCountry: 'SE' },
    });
    check(r.direction === 'OUTBOUND', 'direction not updated');
    return r;
  }, { needs: [ruleId] });

  await op('callBlockingRules.delete', async () => est.callBlockingRules.delete({ id: ruleId }), { needs: [ruleId] });

  // --- calls ---------------------------------------------------------------------------------------
  const now = new Date();
  const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000);
  await op('calls.find(createTimeRange)', async () => {
    const page = await est.calls.find({
      createTimeRange: { from: dayAgo, to: now }, direction: 'INBOUND', size: 10,
    });
    check(Array.isArray(page.data), 'no calls array');
    return page.data.length;
  }, { note: (n) => ({ calls: n }) });

  await op('calls.find(createTime, trunkId, callResult)', async () => {
    const page = await est.calls.find({ createTime: now, trunkId, callResult: 'COMPLETED', from: '+46', page: '1' });
    check(Array.isArray(page.data), 'no calls array');
    return page.data.length;
  });

  await op('calls.export', async () => {
    const file = await est.calls.export({ createTimeRange: { from: dayAgo, to: now }, trunkId });
    check(file && typeof file.fileName === 'string' && typeof file.data === 'string', 'no CSV file');
    check(file.data.startsWith('callId,'), `not the calls CSV: ${file.data.slice(0, 40)}`);
    return { fileName: file.fileName, firstLine: file.data.split('\n')[0] };
  }, { note: (r) => r });

  // --- projects ------------------------------------------------------------------------------------
  await op('projects.add', async () => {
    const ids = (process.env.SINCH_ADD_PROJECT_IDS || '').split(',').map((x) => x.trim()).filter(Boolean);
    check(ids.length > 0, 'SINCH_ADD_PROJECT_IDS names no sub-project');
    const r = await est.projects.add({ addProjectsRequestBody: { projectIds: ids } });
    check(r && JSON.stringify(r.addedProjects) === JSON.stringify(ids), `addedProjects ${JSON.stringify(r)}`);
    const again = await est.projects.add({ addProjectsRequestBody: { projectIds: ids } });
    check(Array.isArray(again.addedProjects) && again.addedProjects.length === 0, 'added twice');
    return r;
  }, { note: (r) => r });

  await op('projects.add(the project itself: expect 400)', async () => {
    try {
      await est.projects.add({ addProjectsRequestBody: { projectIds: [PROJECT_ID] } });
    } catch (e) {
      if (e && e.statusCode === 400) return 'refused, as expected';
      throw e;
    }
    throw new Error('a project was added as its own sub-project');
  });

  // --- unbind and clean up -------------------------------------------------------------------------
  await op('sipTrunks.deleteAccessControlList', async () => est.sipTrunks.deleteAccessControlList({
    trunkId, accessControlListId: aclId,
  }), { needs: [trunkId, aclId] });

  await op('accessControlList.deleteFromTrunk(already removed: expect 404)', async () => {
    try {
      await est.accessControlList.deleteFromTrunk({ trunkId, accessControlListId: aclId });
    } catch (e) {
      if (e && e.statusCode === 404) return 'not found, as expected';
      throw e;
    }
    throw new Error('removing an ACL the trunk no longer has answered no error');
  }, { needs: [trunkId, aclId], note: (r) => r });

  await op('sipTrunks.deleteCredentialList', async () => est.sipTrunks.deleteCredentialList({
    trunkId, credentialListId,
  }), { needs: [trunkId, credentialListId] });

  await op('sipEndpoints.delete(static)', async () => est.sipEndpoints.delete({
    sipTrunkId: trunkId, sipEndpointId: staticId,
  }), { needs: [trunkId, staticId] });

  await op('accessControlList.delete', async () => est.accessControlList.delete({ id: aclId }), { needs: [aclId] });

  await op('credentialLists.delete', async () => est.credentialLists.delete({ id: credentialListId }),
    { needs: [credentialListId] });

  for (const id of extraTrunks) {
    await op('sipTrunks.delete#extra', async () => est.sipTrunks.delete({ sipTrunkId: id }));
  }
  await op('sipTrunks.delete', async () => est.sipTrunks.delete({ sipTrunkId: trunkId }), { needs: [trunkId] });

  await op('sipTrunks.get(deleted: expect 404)', async () => {
    try {
      await est.sipTrunks.get({ sipTrunkId: trunkId });
    } catch (e) {
      if (e && e.statusCode === 404) return 'not found, as expected';
      throw e;
    }
    throw new Error('the deleted trunk is still answered');
  }, { needs: [trunkId] });
}

main()
  .catch((e) => {
    failures += 1;
    console.log(JSON.stringify({ op: 'drive', ok: false, ...describeError(e) }));
  })
  .finally(() => {
    console.log(JSON.stringify({ op: 'summary', ok: failures === 0, failures }));
    process.exitCode = failures === 0 ? 0 : 1;
  });
