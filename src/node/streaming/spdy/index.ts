/** SPDY/3.1: framing, header compression, the server session and the port-forward handler. */
export { decodeFrame, encodeFrame, FLAG_FIN, FLAG_UNIDIRECTIONAL, FrameParser, RstStatus, SpdyProtocolError, type Frame } from './frames.js';
export { decodeHeaderBlock, encodeHeaderBlock, HeaderCodec, type SpdyHeaders } from './headers.js';
export { SPDY3_DICTIONARY } from './dictionary.js';
export { SpdySession, type SpdySessionOptions } from './session.js';
export { SpdyStream } from './stream.js';
export { servePortForwardSpdy, type PortForwardTarget } from './portforward.js';
