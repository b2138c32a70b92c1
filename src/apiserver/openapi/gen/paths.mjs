// Operations of one group-version, shaped like kube-apiserver's: each carries
// x-kubernetes-action and x-kubernetes-group-version-kind. kubectl relies on them: a PATCH op
// whose GVK matches and that takes `fieldValidation` makes it leave validation to the server,
// and `application/strategic-merge-patch+json` in its body makes it compute strategic patches.
import { META, PATCH } from './facts.mjs';
import { packageOf } from './schemas.mjs';

const cap = s => s.charAt(0).toUpperCase() + s.slice(1);
const S = name => ({ $ref: `#/components/schemas/${name}` });

const q = (name, type, description) => ({ name, in: 'query', description, schema: { type } });
const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  dryRun: q('dryRun', 'string', 'When present, modifications are not persisted. Valid value: All.'),
  fieldManager: q('fieldManager', 'string', 'Name of the actor making the change; required for apply patches.'),
  fieldValidation: q('fieldValidation', 'string', 'How the server treats unknown or duplicate fields in the request object: Ignore, Warn (the default) or Strict.'),
  force: q('force', 'boolean', 'Force an apply patch: take ownership of fields other managers own. Only for apply patches.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'Seconds before the object is deleted; zero deletes immediately.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: use propagationPolicy.'),
  propagationPolicy: q('propagationPolicy', 'string', 'Garbage collection of dependents: Orphan, Background or Foreground.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'Request BOOKMARK watch events.'),
  continue: q('continue', 'string', 'Token from a previous paginated list call.'),
  fieldSelector: q('fieldSelector', 'string', 'Restrict the returned objects by their fields.'),
  labelSelector: q('labelSelector', 'string', 'Restrict the returned objects by their labels.'),
  limit: q('limit', 'integer', 'Maximum number of items to return; more are signalled by metadata.continue.'),
  resourceVersion: q('resourceVersion', 'string', 'Constrains which resource versions the request may be served from.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'How resourceVersion applies to list calls: Exact or NotOlderThan.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'With watch=true, start the stream with synthetic ADDED events for the current state.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list or watch call.'),
  watch: q('watch', 'boolean', 'Stream changes to the listed objects instead of listing them.'),
};
const path = (name, description) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const LIST_PARAMS = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit',
  'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch'].map(k => P[k]);
const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json',
  'application/merge-patch+json', 'application/strategic-merge-patch+json'];

const json = (schema, types = ['application/json', 'application/yaml']) =>
  Object.fromEntries(types.map(t => [t, { schema }]));
const ok = (schema, codes = ['200'], types) =>
  Object.fromEntries(codes.map(c => [c, { description: { 200: 'OK', 201: 'Created', 202: 'Accepted' }[c], content: json(schema, types) }]));
const text = { 200: { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } } };

/** Upstream schema name of a served kind. */
export const kindName = (group, version, kind) => `${packageOf(group, version).pkg}.${kind}`;

/**
 * Path items for one group-version's resources.
 * @param {import('../../../api/resources.js').ResourceInfo[]} resources
 */
export function groupVersionPaths(group, version, resources) {
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const gvId = cap(group ? group.split('.')[0] : 'core') + cap(version);
  const tag = `${group ? group.split('.')[0] : 'core'}_${version}`;
  const paths = {};
  const op = (action, gvk, id, description, extra) =>
    ({ description, operationId: id, tags: [tag], ...extra, 'x-kubernetes-action': action, 'x-kubernetes-group-version-kind': gvk });

  paths[`${prefix}/`] = {
    get: { description: 'get available resources', operationId: `get${gvId}APIResources`, tags: [tag],
      responses: ok(S(`${META}.APIResourceList`)) },
  };
  for (const r of resources) {
    const gvk = { group, kind: r.kind, version };
    const self = S(kindName(group, version, r.kind));
    const list = S(kindName(group, version, r.listKind));
    const ns = r.namespaced ? 'Namespaced' : '';
    const id = (verb, suffix = '') => `${verb}${gvId}${ns}${r.kind}${suffix}`;
    const has = v => r.verbs.includes(v);
    const base = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.plural}` : `${prefix}/${r.plural}`;
    const nsParam = r.namespaced ? [path('namespace', 'object name and auth scope, such as for teams and projects')] : [];
    const nameParam = path('name', `name of the ${r.kind}`);
    const listResp = ok(list, ['200'], ['application/json', 'application/yaml', 'application/json;stream=watch']);

    const collection = { parameters: [...nsParam, P.pretty] };
    if (has('list')) collection.get = op('list', gvk, id('list'), `list or watch objects of kind ${r.kind}`, { parameters: LIST_PARAMS, responses: listResp });
    if (has('create')) collection.post = op('post', gvk, id('create'), `create a ${r.kind}`,
      { parameters: WRITE_PARAMS, requestBody: { content: json(self) }, responses: ok(self, ['200', '201', '202']) });
    if (has('deletecollection')) collection.delete = op('deletecollection', gvk, `delete${gvId}Collection${ns}${r.kind}`,
      `delete collection of ${r.kind}`, { parameters: [...DELETE_PARAMS, ...LIST_PARAMS],
        requestBody: { content: json(S(`${META}.DeleteOptions`)) }, responses: ok(S(`${META}.Status`)) });
    paths[base] = collection;
    if (r.namespaced && has('list')) {
      paths[`${prefix}/${r.plural}`] = {
        get: op('list', gvk, `list${gvId}${r.kind}ForAllNamespaces`, `list or watch objects of kind ${r.kind}`, { responses: listResp }),
        parameters: [...LIST_PARAMS, P.pretty],
      };
    }

    const item = { parameters: [nameParam, ...nsParam, P.pretty] };
    Object.assign(item, readWrite(op, gvk, self, id, r.kind, '', has));
    if (has('delete')) item.delete = op('delete', gvk, id('delete'), `delete a ${r.kind}`, { parameters: DELETE_PARAMS,
      requestBody: { content: json(S(`${META}.DeleteOptions`)) }, responses: ok(S(`${META}.Status`), ['200', '202']) });
    paths[`${base}/{name}`] = item;

    for (const sub of r.subresources ?? []) {
      const p = subresource(op, sub, { group, version, r, gvk, self, id, has });
      if (p) paths[`${base}/{name}/${sub}`] = { parameters: [nameParam, ...nsParam, P.pretty], ...p };
      if (sub === 'proxy') {
        const withPath = structuredClone(p);
        for (const o of Object.values(withPath)) o.operationId += 'WithPath';
        paths[`${base}/{name}/proxy/{path}`] = { parameters: [nameParam, ...nsParam, path('path', 'path to the resource')], ...withPath };
      }
    }
  }
  return paths;
}

// GET, PUT and PATCH of an object or of a subresource that holds the same kind (status).
function readWrite(op, gvk, self, id, kind, suffix, has) {
  const what = suffix ? `${suffix.toLowerCase()} of the specified ${kind}` : `the specified ${kind}`;
  const out = {};
  if (has('get')) out.get = op('get', gvk, id('read', suffix), `read ${what}`, { responses: ok(self) });
  if (has('update')) out.put = op('put', gvk, id('replace', suffix), `replace ${what}`,
    { parameters: WRITE_PARAMS, requestBody: { content: json(self) }, responses: ok(self, ['200', '201']) });
  if (has('patch')) out.patch = op('patch', gvk, id('patch', suffix), `partially update ${what}`, {
    parameters: [...WRITE_PARAMS, P.force],
    requestBody: { content: Object.fromEntries(PATCH_TYPES.map(t => [t, { schema: S(PATCH) }])) },
    responses: ok(self, ['200', '201']),
  });
  return out;
}

function subresource(op, sub, { r, gvk, self, id, has }) {
  // exec, attach, portforward and proxy: upgrades or raw streams, action "connect".
  const connect = (kind, params, methods = ['GET', 'POST']) => {
    const g = { group: '', kind, version: 'v1' };
    return Object.fromEntries(methods.map(m => [m.toLowerCase(), op('connect', g, id(`connect${cap(m.toLowerCase())}`, cap(sub)),
      `connect ${m} requests to ${sub} of ${r.kind}`, { parameters: params, responses: text })]));
  };
  switch (sub) {
    case 'status':
      return readWrite(op, gvk, self, id, r.kind, 'Status', has);
    case 'ephemeralcontainers':
      return readWrite(op, gvk, self, id, r.kind, 'Ephemeralcontainers', has);
    case 'scale':
      return readWrite(op, { group: 'autoscaling', kind: 'Scale', version: 'v1' }, S('io.k8s.api.autoscaling.v1.Scale'), id, r.kind, 'Scale', has);
    case 'binding':
      return { post: op('post', { group: '', kind: 'Binding', version: 'v1' }, id('create', 'Binding'), `create binding of a ${r.kind}`,
        { parameters: WRITE_PARAMS, requestBody: { content: json(S('io.k8s.api.core.v1.Binding')) }, responses: ok(S('io.k8s.api.core.v1.Binding'), ['200', '201', '202']) }) };
    case 'token':
      return { post: op('post', { group: 'authentication.k8s.io', kind: 'TokenRequest', version: 'v1' }, id('create', 'Token'), `create token of a ${r.kind}`,
        { parameters: WRITE_PARAMS, requestBody: { content: json(S('io.k8s.api.authentication.v1.TokenRequest')) }, responses: ok(S('io.k8s.api.authentication.v1.TokenRequest'), ['200', '201', '202']) }) };
    case 'eviction':
      return { post: op('post', { group: 'policy', kind: 'Eviction', version: 'v1' }, id('create', 'Eviction'), `create eviction of a ${r.kind}`,
        { parameters: WRITE_PARAMS, requestBody: { content: json(S('io.k8s.api.policy.v1.Eviction')) }, responses: ok(S('io.k8s.api.policy.v1.Eviction'), ['200', '201', '202']) }) };
    case 'log': {
      const params = [q('container', 'string', 'The container for which to stream logs.'), q('follow', 'boolean', 'Follow the log stream.'),
        q('limitBytes', 'integer', 'Maximum bytes of logs to return.'), q('previous', 'boolean', 'Logs of the previous terminated container.'),
        q('sinceSeconds', 'integer', 'Only logs newer than this many seconds.'), q('sinceTime', 'string', 'Only logs after this RFC3339 time.'),
        q('tailLines', 'integer', 'Number of lines from the end of the log to show.'), q('timestamps', 'boolean', 'Prefix each line with an RFC3339 timestamp.')];
      return { get: op('get', gvk, id('read', 'Log'), `read log of the specified ${r.kind}`, { parameters: params, responses: text }) };
    }
    case 'exec':
      return connect('PodExecOptions', ['command', 'container', 'stderr', 'stdin', 'stdout', 'tty'].map(n => q(n, n === 'command' || n === 'container' ? 'string' : 'boolean', `${n} option of the exec call`)));
    case 'attach':
      return connect('PodAttachOptions', ['container', 'stderr', 'stdin', 'stdout', 'tty'].map(n => q(n, n === 'container' ? 'string' : 'boolean', `${n} option of the attach call`)));
    case 'portforward':
      return connect('PodPortForwardOptions', [q('ports', 'integer', 'List of ports to forward.')]);
    case 'proxy':
      return connect(`${r.kind}ProxyOptions`, [q('path', 'string', 'Path to the resource behind the proxy.')],
        ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
    default:
      return undefined;
  }
}
