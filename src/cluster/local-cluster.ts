/**
 * A real Redis Cluster on loopback: several `redis-server` processes in cluster mode, joined with
 * `redis-cli --cluster create`, for chapter 8's "scaling past one machine".
 *
 * @module Redis/Local Redis Cluster
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_NOT_INSTALLED } from '../redis/embedded-server.js';
import { freePort } from '../process/free-port.js';

/** A node's address, as ioredis's `new Cluster(nodes)` takes it. */
export interface ClusterNode {
  host: string;
  port: number;
}

/** A running {@link startLocalCluster} cluster. */
export interface LocalCluster {
  /** The masters; give them to `new Cluster(nodes)` (ioredis discovers the rest). */
  readonly nodes: ClusterNode[];
  /** What `redis-cli --cluster create` printed. */
  readonly createOutput: string;
  /** Stops every node and removes their folders. Safe to call twice. */
  stop(): Promise<void>;
}

/** Said when `redis-cli` (Debian: part of redis-tools, which redis-server pulls in) is missing. */
export const REDIS_CLI_NOT_INSTALLED =
  'redis-cli was not found on PATH. It comes with Redis (Debian/Ubuntu: `sudo apt-get install redis-tools`, ' +
  'installed with redis-server; macOS: `brew install redis`).';

/**
 * Starts `masters` (default 3, the fewest Redis Cluster accepts) `redis-server` processes with
 * `cluster-enabled yes` on free loopback ports, no persistence, joins them with
 * `redis-cli --cluster create … --cluster-replicas 0`, and resolves once every node reports
 * `cluster_state:ok`.
 *
 * @throws Error saying what to install when `redis-server` or `redis-cli` is missing.
 */
export async function startLocalCluster({ masters = 3 }: { masters?: number } = {}): Promise<LocalCluster> {
  if (!Number.isInteger(masters) || masters < 3) throw new RangeError(`a Redis Cluster needs at least 3 masters, got ${masters}`);
  const dir = mkdtempSync(join(tmpdir(), 'workbook-cluster-'));
  const children: ChildProcess[] = [];
  const killAll = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killAll);
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('exit', killAll);
      await Promise.all(
        children.map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
      rmSync(dir, { recursive: true, force: true });
    })());

  try {
    const nodes: ClusterNode[] = [];
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '5000', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore', detached: true },
      );
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', () => resolve());
        child.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'ENOENT' ? new Error(REDIS_NOT_INSTALLED) : error));
      });
      nodes.push({ host: '127.0.0.1', port });
    }
    for (const node of nodes) await waitFor(node, async (client) => (await client.ping()) === 'PONG', 'to answer PING');

    const create = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...nodes.map((node) => `${node.host}:${node.port}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    if (create.error) throw (create.error as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(REDIS_CLI_NOT_INSTALLED) : create.error;
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed:\n${create.stdout}\n${create.stderr}`);
    for (const node of nodes) {
      await waitFor(node, async (client) => /cluster_state:ok/.test(await client.cluster('INFO')), 'to report cluster_state:ok');
    }
    return { nodes, createOutput: create.stdout, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function waitFor(node: ClusterNode, check: (client: Redis) => Promise<boolean>, what: string): Promise<void> {
  const client = new Redis({ ...node, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {
    // Refused connections while the node starts are expected; the loop below retries.
  });
  const deadline = Date.now() + 15_000;
  try {
    for (;;) {
      try {
        if (client.status !== 'ready') await client.connect();
        if (await check(client)) return;
      } catch {
        client.disconnect();
      }
      if (Date.now() > deadline) throw new Error(`Redis node ${node.host}:${node.port} did not come ${what} within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    client.disconnect();
  }
}
