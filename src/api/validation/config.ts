/**
 * ConfigMaps, Secrets and ServiceAccounts.
 */
import { isConfigMapKey, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { type Errs, type Obj, badValue, deepEqual, forbidden, isObj, required, str, tooLong } from './util.js';

export const MAX_SECRET_SIZE = 1024 * 1024;
const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

const b64len = (v: unknown): number => Buffer.from(str(v), 'base64').length;
const validB64 = (v: unknown): boolean => /^[A-Za-z0-9+/]*={0,2}$/.test(str(v).replace(/\s/g, '')) && str(v).replace(/\s/g, '').length % 4 === 0;

export function validateConfigMap(cm: Obj): Errs {
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  const data = isObj(cm.data) ? cm.data : {};
  const bin = isObj(cm.binaryData) ? cm.binaryData : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map(m => badValue(`data[${k}]`, k, m)));
    if (k in bin) errs.push(badValue(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    size += Buffer.byteLength(str(v));
  }
  for (const [k, v] of Object.entries(bin)) {
    errs.push(...isConfigMapKey(k).map(m => badValue(`binaryData[${k}]`, k, m)));
    size += b64len(v);
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('', MAX_SECRET_SIZE));
  return errs;
}

export function validateConfigMapUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  if (o.immutable === true) {
    if (n.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_SET));
    if (!deepEqual(n.data ?? {}, o.data ?? {})) errs.push(forbidden('data', IMMUTABLE_SET));
    if (!deepEqual(n.binaryData ?? {}, o.binaryData ?? {})) errs.push(forbidden('binaryData', IMMUTABLE_SET));
  }
  return errs.concat(validateConfigMap(n));
}

function isJSON(v: string): boolean {
  try { JSON.parse(v); return true; } catch { return false; }
}

export function validateSecret(s: Obj): Errs {
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSSubdomain);
  const data: Record<string, string> = isObj(s.data) ? s.data : {};
  // stringData is folded into data by the server; check its keys the same way
  const stringData: Record<string, string> = isObj(s.stringData) ? s.stringData : {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map(m => badValue(`data[${k}]`, k, m)));
    if (!validB64(v)) errs.push(badValue(`data[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    size += b64len(v);
  }
  for (const [k, v] of Object.entries(stringData)) {
    errs.push(...isConfigMapKey(k).map(m => badValue(`data[${k}]`, k, m)));
    if (!(k in data)) size += Buffer.byteLength(str(v));
  }
  if (size > MAX_SECRET_SIZE) errs.push(tooLong('data', MAX_SECRET_SIZE));
  const has = (k: string) => k in data || k in stringData;
  const text = (k: string) => (k in stringData ? str(stringData[k]) : Buffer.from(str(data[k]), 'base64').toString());
  switch (str(s.type)) {
    case 'kubernetes.io/service-account-token':
      if (!str(s.metadata?.annotations?.['kubernetes.io/service-account.name'])) {
        errs.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = s.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) errs.push(required(`data[${key}]`));
      else if (!isJSON(text(key))) errs.push(badValue(`data[${key}]`, '<secret contents redacted>', 'invalid character in JSON'));
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!has('ssh-privatekey') || text('ssh-privatekey').length === 0) errs.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(required('data[tls.key]'));
      break;
  }
  return errs;
}

export function validateSecretUpdate(n: Obj, o: Obj): Errs {
  const errs = validateObjectMetaUpdate(n.metadata, o.metadata);
  if (str(n.type) !== str(o.type)) errs.push(badValue('type', str(n.type), 'field is immutable'));
  if (o.immutable === true) {
    if (n.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_SET));
    if (!deepEqual(n.data ?? {}, o.data ?? {}) || Object.keys(isObj(n.stringData) ? n.stringData : {}).length) {
      errs.push(forbidden('data', IMMUTABLE_SET));
    }
  }
  return errs.concat(validateSecret(n));
}

export const validateServiceAccount = (sa: Obj): Errs => validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain);
export const validateServiceAccountUpdate = (n: Obj, o: Obj): Errs =>
  [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateServiceAccount(n)];
