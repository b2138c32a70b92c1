/**
 * OpenAPI for the HTTP layer. Only v3 is served: kubectl 1.32 reads v3 for validation,
 * apply's strategic patches and explain, and /openapi/v2 (protobuf only) may answer 404.
 */
export { openapiV3Root, openapiV3Doc, openapiV3Hash } from './v3.js';
export type { OpenAPIV3Root } from './v3.js';
export { openapiV2, OPENAPI_V2_PROTOBUF } from './v2.js';
export type { OpenAPIV2Response } from './v2.js';
