import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** One PutRecordBatch call as the fake server saw it. */
export type ReceivedCall = {
  stream: string;
  records: Buffer[];
};

/** How the fake answers one call: all ok, per-record errors, or a whole-call error. */
export type FakeAnswer =
  | { kind: 'ok'; failIndexes?: number[]; errorCode?: string }
  | { kind: 'error'; status: number; type: string; message?: string };

/**
 * A tiny stand-in for the Firehose API (AWS JSON 1.1 over HTTP) on
 * 127.0.0.1, good enough for the real `@aws-sdk/client-firehose` client to
 * call PutRecordBatch against. `answer` decides each call's fate.
 */
export async function startFakeFirehose(
  answer: (call: ReceivedCall, callIndex: number) => FakeAnswer = () => ({
    kind: 'ok',
  }),
  options: { delayMs?: number } = {},
): Promise<{
  endpoint: string;
  calls: ReceivedCall[];
  /** Most PutRecordBatch calls ever open at the same time. */
  maxConcurrent(): number;
  close(): Promise<void>;
}> {
  const calls: ReceivedCall[] = [];
  let nextRecordId = 1;
  let open = 0;
  let maxOpen = 0;

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const server: Server = createServer(async (req, res) => {
    const target = req.headers['x-amz-target'];
    open++;
    maxOpen = Math.max(maxOpen, open);
    res.on('close', () => open--);
    const body = await readBody(req);
    if (options.delayMs) {
      await new Promise(resolve => setTimeout(resolve, options.delayMs));
    }
    const send = (status: number, payload: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': `req-${calls.length}`,
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    if (target !== 'Firehose_20150804.PutRecordBatch') {
      send(
        400,
        { __type: 'UnknownOperationException', message: `no ${target}` },
        'UnknownOperationException',
      );
      return;
    }
    const input = JSON.parse(body) as {
      DeliveryStreamName: string;
      Records: { Data: string }[];
    };
    const call: ReceivedCall = {
      stream: input.DeliveryStreamName,
      records: input.Records.map(r => Buffer.from(r.Data, 'base64')),
    };
    const callIndex = calls.length;
    calls.push(call);
    const decision = answer(call, callIndex);
    if (decision.kind === 'error') {
      send(
        decision.status,
        { __type: decision.type, message: decision.message ?? decision.type },
        decision.type,
      );
      return;
    }
    const failing = new Set(decision.failIndexes ?? []);
    const RequestResponses = call.records.map((_, i) =>
      failing.has(i)
        ? {
            ErrorCode: decision.errorCode ?? 'ServiceUnavailableException',
            ErrorMessage: 'Slow down.',
          }
        : { RecordId: `rec-${nextRecordId++}` },
    );
    send(200, {
      FailedPutCount: RequestResponses.filter(r => 'ErrorCode' in r).length,
      Encrypted: false,
      RequestResponses,
    });
  });

  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    maxConcurrent: () => maxOpen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(error => (error ? reject(error) : resolve()));
      }),
  };
}
