/**
 * GET /openapi/v2: a valid but empty Swagger 2.0 document. kubectl 1.32 takes everything from
 * v3, except client-side validation of kinds its v3 check cannot place (a `kind: List` file,
 * unknown CRDs): that path downloads v2 (protobuf only) and fails the whole command when it
 * cannot, while an empty document makes it skip those objects. The server still validates
 * each item it receives.
 */

/** The media type kubectl asks v2 in (gnostic's openapi.v2.Document). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

const TITLE = 'Kubernetes';
const VERSION = 'v1.32.0';

export interface OpenAPIV2Response {
  contentType: string;
  body: Buffer;
}

/** The v2 document in protobuf when `accept` names it, else JSON. */
export function openapiV2(accept: string | undefined): OpenAPIV2Response {
  if (accept?.includes(OPENAPI_V2_PROTOBUF)) {
    // Document{1: swagger "2.0", 2: Info{1: title, 2: version}}
    const info = Buffer.concat([field(1, TITLE), field(2, VERSION)]);
    // Served as application/octet-stream like kube-apiserver: Go's mime parser rejects the '@'.
    return { contentType: 'application/octet-stream', body: Buffer.concat([field(1, '2.0'), field(2, info)]) };
  }
  const doc = { swagger: '2.0', info: { title: TITLE, version: VERSION }, paths: {}, definitions: {} };
  return { contentType: 'application/json', body: Buffer.from(JSON.stringify(doc)) };
}

// Length-delimited protobuf field (wire type 2); every length here is under 128 bytes.
function field(n: number, value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value) : value;
  return Buffer.concat([Buffer.from([(n << 3) | 2, bytes.length]), bytes]);
}
