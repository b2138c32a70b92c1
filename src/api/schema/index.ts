/**
 * Runtime schema helpers for the API server: the shapes of served kinds (from the generated
 * OpenAPI, loaded lazily), server-side field validation, and strict body parsing.
 */
export { findUnknownFields, fieldProblems, strictDecodingMessage, unknownFieldMessage, duplicateFieldMessage } from './unknown-fields.js';
export { parseJsonStrict } from './json-strict.js';
export { parseYamlStrict } from './yaml-strict.js';
export { kindSchema, objectSchema } from './types.js';
export type { StrictParseResult } from './json-strict.js';
export type { FieldType, FieldSchema, ObjectSchema } from './types.js';
export { checkTypes } from './type-check.js';
