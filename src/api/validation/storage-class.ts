/** storage.k8s.io/v1 StorageClass, as upstream's pkg/apis/storage/validation checks it. */
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import {
  type Errs, type Obj, arr, badValue, deepEqual, forbidden, immutable, isObj, notSupported, required, str, tooLong,
} from './util.js';

const RECLAIM = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

export function validateStorageClass(sc: Obj): Errs {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain);
  const prov = str(sc.provisioner);
  if (!prov) errs.push(required('provisioner'));
  else errs.push(...isQualifiedName(prov.toLowerCase()).map(m => badValue('provisioner', prov, m)));
  const params = isObj(sc.parameters) ? sc.parameters : {};
  const keys = Object.keys(params);
  if (keys.length > MAX_PARAMETERS) errs.push(tooLong('parameters', MAX_PARAMETERS));
  let size = 0;
  for (const k of keys) {
    size += k.length + str(params[k]).length;
    if (!k) errs.push(badValue('parameters', k, 'field can not be empty.'));
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong('parameters', MAX_PARAMETERS_SIZE));
  if (sc.reclaimPolicy !== undefined && !RECLAIM.includes(str(sc.reclaimPolicy))) errs.push(notSupported('reclaimPolicy', str(sc.reclaimPolicy), RECLAIM));
  if (sc.volumeBindingMode === undefined) errs.push(required('volumeBindingMode'));
  else if (!BINDING_MODES.includes(str(sc.volumeBindingMode))) errs.push(notSupported('volumeBindingMode', str(sc.volumeBindingMode), BINDING_MODES));
  arr(sc.allowedTopologies).forEach((term, i) => {
    const p = `allowedTopologies[${i}].matchLabelExpressions`;
    const exprs = arr(term?.matchLabelExpressions);
    if (!exprs.length) errs.push(required(p, 'must have at least one label expression'));
    exprs.forEach((e, j) => {
      errs.push(...isQualifiedName(str(e.key)).map(m => badValue(`${p}[${j}].key`, str(e.key), m)));
      if (!arr(e.values).length) errs.push(required(`${p}[${j}].values`, 'must specify as least one value'));
    });
  });
  return errs;
}

export function validateStorageClassUpdate(n: Obj, o: Obj): Errs {
  const errs = [...validateObjectMetaUpdate(n.metadata, o.metadata), ...validateStorageClass(n)];
  if (!deepEqual(n.parameters ?? {}, o.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (n.provisioner !== o.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (n.reclaimPolicy !== o.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  return errs.concat(immutable(n.volumeBindingMode, o.volumeBindingMode, 'volumeBindingMode'));
}
