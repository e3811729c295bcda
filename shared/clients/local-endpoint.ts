import { grpc } from 'google-gax';

/**
 * Client options that point a Google API client at a local plaintext gRPC server (`host:port`)
 * instead of Google — for the APIs with no emulator (Secret Manager, Cloud Monitoring), which the
 * local stack and the tests serve in process from the protos the client packages ship.
 */
export function localEndpointOptions(endpoint: string): { apiEndpoint: string; port: number; sslCreds: grpc.ChannelCredentials; universeDomain: string } {
  const [host, port] = endpoint.split(':');
  if (!host || !Number.isInteger(Number(port))) throw new Error(`expected host:port for a local endpoint, got "${endpoint}"`);
  return { apiEndpoint: host, port: Number(port), sslCreds: grpc.credentials.createInsecure(), universeDomain: 'googleapis.com' };
}
