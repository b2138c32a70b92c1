/**
 * Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), decoded into
 * plain Kubernetes JSON objects. kubectl ≥ 1.32 sends them for `create <kind>`, `create token`
 * and `autoscale`; responses stay JSON, which clients accept.
 */
export { decodeProtobuf, isProtobufContentType, PROTOBUF_MEDIA_TYPE } from './decode.js';
export type { DecodedProtobuf } from './decode.js';
export { protobufKinds } from './schema.js';
