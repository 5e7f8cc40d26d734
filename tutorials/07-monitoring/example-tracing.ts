/**
 * Chapter 7: OpenTelemetry instead of (or beside) Prometheus. bullmq-otel makes BullMQ write
 * spans for `queue.add` and for each job run, and carries the trace from the web request that
 * added the job to the worker that ran it. Spans go to an in-memory exporter and are printed as
 * a tree; in production you would send them to a collector (OTLP) instead. It exits by itself.
 *
 *   npx tsx tutorials/07-monitoring/example-tracing.ts
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { BullMQOtel } from 'bullmq-otel';
import express from 'express';
import { loadConfig } from '../../src/config.js';
import { workerConnectionOptions } from '../../src/redis/connection.js';
import { acquireRedis } from '../../src/redis/redis-url.js';

// The tracer provider first: register() installs the AsyncLocalStorage context manager that
// lets a span started in a request be the parent of whatever that request does.
const exporter = new InMemorySpanExporter();
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
provider.register();
const tracer = trace.getTracer('workbook-example');

const redis = await acquireRedis(loadConfig().redisUrl);
const connection = workerConnectionOptions(redis.url);
const prefix = `example-07-otel-${process.pid}`;
const telemetry = new BullMQOtel({ tracerName: 'workbook-example' });
const queue = new Queue('invoices', { connection, prefix, telemetry });
const events = new QueueEvents('invoices', { connection, prefix });
const worker = new Worker(
  'invoices',
  async (job) => {
    // A span of your own inside the job: it joins the trace the request started.
    return tracer.startActiveSpan('render-pdf', async (span) => {
      span.setAttribute('invoice.order_id', job.data.orderId);
      span.end();
      return `invoice-${job.data.orderId}.pdf`;
    });
  },
  { connection, prefix, telemetry },
);

// Without HTTP auto-instrumentation, one middleware gives each request its SERVER span.
const app = express();
app.use((req, res, next) => {
  tracer.startActiveSpan(`${req.method} ${req.path}`, { kind: SpanKind.SERVER }, (span) => {
    res.once('finish', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    next();
  });
});
app.post('/orders/:id/invoice', async (req, res) => {
  const job = await queue.add('render-invoice', { orderId: Number(req.params.id) });
  res.status(202).json({ jobId: job.id });
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

try {
  await events.waitUntilReady();
  const response = await fetch(`${base}/orders/7/invoice`, { method: 'POST' });
  const { jobId } = (await response.json()) as { jobId: string };
  const result = await (await queue.getJob(jobId))!.waitUntilFinished(events, 10_000);
  console.log(`POST /orders/7/invoice -> ${response.status}, job ${jobId} -> ${result}\n`);
  // The worker ends its span just after the job is marked complete: give it a moment to land.
  const deadline = Date.now() + 5000;
  while (!exporter.getFinishedSpans().some((span) => span.kind === SpanKind.CONSUMER) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  printTrees(exporter.getFinishedSpans());
} finally {
  await new Promise((resolve) => server.close(resolve));
  await worker.close();
  await events.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await provider.shutdown();
  await redis.release();
}

/** Prints each trace as an indented tree, parents first. */
function printTrees(spans: ReadableSpan[]): void {
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((span) => span.spanContext().spanId));
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent && ids.has(parent) ? parent : undefined;
    byParent.set(key, [...(byParent.get(key) ?? []), span]);
  }
  const print = (span: ReadableSpan, depth: number) => {
    const ms = span.duration[0] * 1000 + span.duration[1] / 1e6;
    const kind = SpanKind[span.kind].toLowerCase();
    console.log(`${'   '.repeat(depth)}${span.name} (${kind}, ${ms.toFixed(1)} ms) trace ${span.spanContext().traceId.slice(0, 8)}`);
    const children = (byParent.get(span.spanContext().spanId) ?? []).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
    for (const child of children) print(child, depth + 1);
  };
  const roots = (byParent.get(undefined) ?? []).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  console.log(`${roots.length} traces: the request's, which reaches the worker, and the worker's own housekeeping:`);
  for (const root of roots) print(root, 1);
}
