import { createRequire } from 'node:module';
import * as protoLoader from '@grpc/proto-loader';
import { grpc } from 'google-gax';
import type { protos } from '@google-cloud/monitoring';

type CreateTimeSeriesRequest = protos.google.monitoring.v3.ICreateTimeSeriesRequest;
type CreateMetricDescriptorRequest = protos.google.monitoring.v3.ICreateMetricDescriptorRequest;

export interface MonitoringServer {
  /** `host:port`, for `GOVERNOR_MONITORING_ENDPOINT`. */
  endpoint: string;
  timeSeriesRequests: CreateTimeSeriesRequest[];
  descriptorRequests: CreateMetricDescriptorRequest[];
  /** gRPC status code the next N CreateTimeSeries calls fail with. */
  failNext(code: number, times: number): void;
  stop(): Promise<void>;
}

/**
 * Cloud Monitoring's MetricService as an in-process gRPC server built from the protos the
 * client package ships (no emulator exists): the real client talks to it over loopback, and the
 * test reads what arrived. grpc comes from google-gax, as the client's does.
 */
export async function startMonitoringServer(): Promise<MonitoringServer> {
  const require = createRequire(__filename);
  const json = require('@google-cloud/monitoring/build/protos/protos.json') as Parameters<typeof protoLoader.fromJSON>[0];
  const definition = protoLoader.fromJSON(json, { keepCase: false, longs: Number, enums: String, defaults: false, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    google: { monitoring: { v3: { MetricService: { service: grpc.ServiceDefinition } } } };
  };
  const timeSeriesRequests: CreateTimeSeriesRequest[] = [];
  const descriptorRequests: CreateMetricDescriptorRequest[] = [];
  let failures: { code: number; times: number } = { code: 0, times: 0 };
  const server = new grpc.Server();
  server.addService(loaded.google.monitoring.v3.MetricService.service, {
    createTimeSeries(call: { request: CreateTimeSeriesRequest }, callback: grpc.sendUnaryData<object>) {
      if (failures.times > 0) {
        failures = { ...failures, times: failures.times - 1 };
        callback({ code: failures.code, details: 'injected failure' } as grpc.ServiceError, null);
        return;
      }
      timeSeriesRequests.push(call.request);
      callback(null, {});
    },
    createMetricDescriptor(call: { request: CreateMetricDescriptorRequest }, callback: grpc.sendUnaryData<object>) {
      descriptorRequests.push(call.request);
      callback(null, call.request.metricDescriptor ?? {});
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    endpoint: `127.0.0.1:${port}`,
    timeSeriesRequests,
    descriptorRequests,
    failNext(code, times) {
      failures = { code, times };
    },
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
