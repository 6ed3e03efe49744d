// The host's JSON-RPC reader: vscode-jsonrpc's, answering what it would only log.
import { MessageReader, ResponseMessage, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

/** JSON-RPC's reserved codes for a frame that is not JSON, and for JSON that is not a request. */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;

/**
 * A reader that answers what vscode-jsonrpc would only log: a broken frame or body gets a Parse error, a
 * message that is not a JSON-RPC 2.0 request, response or notification gets an Invalid Request error
 * (both with id null, as JSON-RPC 2.0 says), so a client always learns why nothing happened.
 */
export function strictReader(input: NodeJS.ReadableStream, writer: StreamMessageWriter): MessageReader {
  const reader = new StreamMessageReader(input);
  const refuse = (code: number, message: string) => void writer.write({ jsonrpc: '2.0', id: null, error: { code, message } } as ResponseMessage).catch(() => undefined);
  reader.onError((e) => refuse(PARSE_ERROR, `Parse error: ${e.message.split('\n')[0]}. Send Content-Length framed JSON-RPC 2.0 messages.`));
  return {
    onError: reader.onError,
    onClose: reader.onClose,
    onPartialMessage: reader.onPartialMessage,
    dispose: () => reader.dispose(),
    listen: (callback) =>
      reader.listen((message) => {
        const m = message as unknown as Record<string, unknown>;
        const valid =
          typeof m === 'object' && m !== null && !Array.isArray(m) && m.jsonrpc === '2.0' &&
          (typeof m.method === 'string' || 'result' in m || 'error' in m) &&
          (m.id === undefined || m.id === null || typeof m.id === 'string' || typeof m.id === 'number');
        if (valid) return callback(message);
        const id = typeof m === 'object' && m !== null && (typeof m.id === 'string' || typeof m.id === 'number') ? m.id : null;
        void writer.write({ jsonrpc: '2.0', id, error: { code: INVALID_REQUEST, message: 'Invalid Request: expected a JSON-RPC 2.0 object with "jsonrpc": "2.0", a "method" string and an optional numeric or string "id".' } } as ResponseMessage).catch(() => undefined);
      }),
  };
}
