// A Temporal frontend that refuses the credentials: the dev server checks no API keys, so this is a FAKE frontend
// (named as such) that answers every WorkflowService call with UNAUTHENTICATED or PERMISSION_DENIED, as a cloud
// namespace does for a wrong or revoked key. connectClient must turn that into one line naming TEMPORAL_API_KEY.
import * as grpc from '@grpc/grpc-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectClient } from '../../temporal/connection.js';

const SERVICE = '/temporal.api.workflowservice.v1.WorkflowService/';

function fakeFrontendRefusing(code: grpc.status, details: string): grpc.Server {
  const server = new grpc.Server();
  const refuse: grpc.handleUnaryCall<Buffer, Buffer> = (_call, callback) => callback({ code, details });
  const method = (name: string) => ({
    path: SERVICE + name,
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  });
  server.addService({ GetSystemInfo: method('GetSystemInfo'), DescribeNamespace: method('DescribeNamespace') }, { GetSystemInfo: refuse, DescribeNamespace: refuse });
  return server;
}

function listen(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))));
}

const saved = { ...process.env };
let unauthenticated: grpc.Server;
let denied: grpc.Server;
let ports: { unauthenticated: number; denied: number };

beforeAll(async () => {
  unauthenticated = fakeFrontendRefusing(grpc.status.UNAUTHENTICATED, 'Request unauthorized.');
  denied = fakeFrontendRefusing(grpc.status.PERMISSION_DENIED, 'Request unauthorized.');
  ports = { unauthenticated: await listen(unauthenticated), denied: await listen(denied) };
});

afterEach(() => {
  process.env = { ...saved };
});

afterAll(() => {
  unauthenticated.forceShutdown();
  denied.forceShutdown();
});

async function errorOfConnect(): Promise<Error> {
  try {
    const { connection } = await connectClient(3000);
    await connection.close();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected connectClient to fail');
}

describe('credentials the server refuses', () => {
  it('a key that is not accepted names TEMPORAL_API_KEY', async () => {
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${ports.unauthenticated}`;
    process.env.TEMPORAL_API_KEY = 'revoked-key';
    process.env.TEMPORAL_TLS = 'false';
    const err = await errorOfConnect();
    expect(err.name).toBe('ConnectionSettingsError');
    expect(err.message).toMatch(/^TEMPORAL_API_KEY: the Temporal server at 127\.0\.0\.1:\d+ answered that the credentials are not accepted/);
    expect(err.message).not.toContain('\n');
  });

  it('a key without rights on the namespace names TEMPORAL_API_KEY and the namespace', async () => {
    process.env.TEMPORAL_ADDRESS = `127.0.0.1:${ports.denied}`;
    process.env.TEMPORAL_API_KEY = 'other-namespace-key';
    process.env.TEMPORAL_TLS = 'false';
    process.env.TEMPORAL_NAMESPACE = 'survey-prod';
    const err = await errorOfConnect();
    expect(err.message).toMatch(/^TEMPORAL_API_KEY: .* credentials are not allowed for namespace 'survey-prod'/);
  });
});
