/**
 * How each SQL statement finds the scope whose code caused it — also when Prisma merges calls of
 * several scopes into one statement.
 *
 * What Prisma 7 does (`RequestHandler` and its `DataLoader` in the client runtime): every call
 * goes through `dataloader.request(params)`, synchronously, in the caller's async context, with
 * `params` carrying the model, the method, the arguments, the transaction and the call site Prisma
 * took for its own error messages. Calls that may be batched (`findUnique`, `findUniqueOrThrow`,
 * and calls inside a transaction) are queued, and one `process.nextTick` — scheduled by the first
 * call of the tick — hands each queue to `batchLoader` (several calls, one statement when Prisma
 * can compact them into `WHERE id IN (...)`) or `singleLoader` (one call). The `query` event of
 * each statement is then emitted in the async context of that nextTick: the first caller's, for
 * every call of the tick, whichever scope made it.
 *
 * So the helper notes each call's context when the call is made, and runs each loader in the
 * context of the calls it serves: a single call in its own; a batch in a context that collects
 * the batch's statements and, when the batch ends, gives each statement to the calls it
 * answered — to every scope whose calls were merged into it, once each.
 *
 * These are Prisma's internal objects: when a Prisma version no longer has them,
 * `attributeRequests` returns `false` and the helper falls back to the caller's context alone
 * (statements still counted, merged batches credited to one scope, no method or call site).
 *
 * @module N+1 queries/Statement attribution
 */
import { StackCallSite, type CallSite } from './call-site.js';
import type { SchemaRelations } from './relations.js';
import { openScopeCount, queryContext, recordShared, type BatchRecorder, type QueryContext } from './scope.js';
import { isTransactionControl, tableOf, type PrismaOperation, type QueryStatement } from './statement.js';
import { trackIncludes } from './unused-includes.js';

const CONTEXT = Symbol('workbook.queryContext');

/** The fields of Prisma's request parameters (one per client call) that the helper reads. */
export interface PrismaRequest {
  /** The model, e.g. `User`; absent for raw queries. */
  modelName?: string;
  /** Prisma's action, e.g. `findUnique`, `queryRaw`. */
  action: string;
  /** The method as called, e.g. `user.findUnique`, `$queryRaw`. */
  clientMethod: string;
  /** The call's arguments. */
  args?: unknown;
  /** For fluent calls, where the result sits: `['select', 'author']`. */
  dataPath?: string[];
  /** The call site Prisma took for its error messages (absent with `errorFormat: 'minimal'`). */
  callsite?: { _error?: { stack?: unknown } };
  /** `batch` for a `$transaction([...])` element, `itx` inside an interactive transaction. */
  transaction?: { kind?: string };
  /** The scope and operation the helper attached when the call was made. */
  [CONTEXT]?: QueryContext;
}

interface PrismaDataLoader {
  request(request: PrismaRequest): Promise<unknown>;
  options: {
    singleLoader(request: PrismaRequest): Promise<unknown>;
    batchLoader(requests: PrismaRequest[]): Promise<unknown>;
  };
}

/** What the helper knows about the client a call was made on. */
export interface ClientInfo {
  /** The client's schema, for naming relations. */
  readonly schema: SchemaRelations;
  /** Prisma's `errorFormat` for the client: `minimal` means Prisma takes no call-site stack. */
  readonly errorFormat: string | undefined;
}

/** A Prisma call as the helper recorded it: a {@link PrismaOperation} plus what detection needs. */
export class RecordedOperation implements PrismaOperation {
  readonly model: string | undefined;
  readonly operation: string;
  readonly transaction: 'batch' | 'interactive' | undefined;
  /** The arguments of the call, as Prisma received them. */
  readonly args: unknown;
  /** The client's schema. */
  readonly schema: SchemaRelations;
  #client: ClientInfo;
  #prismaSite: PrismaRequest['callsite'];
  #callSite: CallSite | undefined;
  #dataPath: readonly string[] | undefined;

  /** Records the call behind Prisma's request parameters; `ownSite` is a call site the helper took itself. */
  constructor(request: PrismaRequest, ownSite: CallSite | undefined, client: ClientInfo) {
    this.model = request.modelName;
    this.operation = request.modelName ? request.action : request.clientMethod;
    const kind = request.transaction?.kind;
    this.transaction = kind === 'batch' ? 'batch' : kind === 'itx' ? 'interactive' : undefined;
    this.args = request.args;
    this.schema = client.schema;
    this.#client = client;
    // Kept as Prisma gave them, turned into objects only when a report asks: most calls never are.
    this.#prismaSite = ownSite ? undefined : request.callsite;
    this.#callSite = ownSite;
    this.#dataPath = request.dataPath;
  }

  /** Where the user's code made the call. */
  get callSite(): CallSite {
    this.#callSite ??= prismaCallSite(this.model, this.operation, this.#prismaSite, this.#client);
    this.#prismaSite = undefined;
    return this.#callSite;
  }

  /** For a fluent call (`comment.findUnique(...).author()`), the relations followed: `['author']`. */
  get fluent(): readonly string[] {
    // Prisma's data path for `.author().posts()` is ['select', 'author', 'select', 'posts'].
    return (this.#dataPath ?? []).filter((_, index) => index % 2 === 1);
  }
}

function prismaCallSite(model: string | undefined, method: string, prismaSite: PrismaRequest['callsite'], client: ClientInfo): CallSite {
  if (!model) {
    return new StackCallSite(
      undefined,
      `${method} was called on a client that watchQueries() did not return, and Prisma takes its stack for a ` +
        'raw query only when the query starts, after your code has moved on: call it on the watched client',
    );
  }
  const error = prismaSite?._error;
  if (error) return new StackCallSite(error);
  return new StackCallSite(
    undefined,
    client.errorFormat === 'minimal'
      ? "Prisma took no stack for this call because the client was created with errorFormat: 'minimal' (its default when " +
          "NODE_ENV=production); create it with errorFormat: 'colorless' to see call sites"
      : 'Prisma took no stack for this call',
  );
}

/**
 * Wires Prisma's request batching of `client` to the helper (see the module comment). Returns
 * `false` when this Prisma version does not have the internals it relies on.
 */
export function attributeRequests(client: object, info: ClientInfo): boolean {
  const loader = (client as { _requestHandler?: { dataloader?: PrismaDataLoader } })._requestHandler?.dataloader;
  if (
    !loader ||
    typeof loader.request !== 'function' ||
    typeof loader.options?.singleLoader !== 'function' ||
    typeof loader.options.batchLoader !== 'function'
  ) {
    return false;
  }
  const request = loader.request;
  const { singleLoader, batchLoader } = loader.options;

  loader.request = function (this: PrismaDataLoader, params: PrismaRequest) {
    if (openScopeCount() === 0) return request.call(this, params);
    const store = queryContext.getStore();
    if (store === undefined || store.scope.closed) return request.call(this, params);
    const operation = new RecordedOperation(params, store.callSite, info);
    params[CONTEXT] = { scope: store.scope, operation };
    const include = (params.args as { include?: unknown } | undefined)?.include;
    if (!store.scope.options.unusedIncludes || !include || typeof include !== 'object' || !operation.model) {
      return request.call(this, params);
    }
    const scope = store.scope;
    const where = { model: operation.model, operation: operation.operation, callSite: operation.callSite };
    return request.call(this, params).then((value) => {
      scope.includes.push(...trackIncludes(value, include as Record<string, unknown>, where));
      return value;
    });
  };

  loader.options.singleLoader = (params) => {
    const context = params[CONTEXT];
    // Also without a context of its own: the call must not run in the context of whichever
    // scope's call scheduled the tick.
    return queryContext.run(context, singleLoader, params);
  };

  loader.options.batchLoader = (params) => {
    if (!params.some((one) => one[CONTEXT] !== undefined)) return queryContext.run(undefined, batchLoader, params);
    const batch = new BatchStatements(params, info.schema);
    const context: QueryContext = { scope: params.find((one) => one[CONTEXT])![CONTEXT]!.scope, batch };
    return Promise.resolve(queryContext.run(context, batchLoader, params)).finally(() => {
      try {
        batch.shareOut();
      } catch {
        // Counting must never fail the user's queries: the batch goes uncounted instead.
      }
    });
  };
  return true;
}

interface RawStatement {
  readonly sql: string;
  readonly params: string;
  readonly durationMs: number;
}

/** The statements of one batch, given to the calls they answered when the batch ends. */
class BatchStatements implements BatchRecorder {
  readonly #requests: PrismaRequest[];
  readonly #schema: SchemaRelations;
  readonly #statements: RawStatement[] = [];

  constructor(requests: PrismaRequest[], schema: SchemaRelations) {
    this.#requests = requests;
    this.#schema = schema;
  }

  add(sql: string, params: string, durationMs: number): void {
    if (!isTransactionControl(sql)) this.#statements.push({ sql, params, durationMs });
  }

  shareOut(): void {
    const requests = this.#requests;
    const statements = this.#statements;
    if (statements.length === 0) return;
    const first = requests[0]!;
    const compactable =
      requests.length > 1 &&
      requests.every((one) => (one.action === 'findUnique' || one.action === 'findUniqueOrThrow') && one.modelName === first.modelName);
    if (compactable && statements.filter((statement) => this.#starts(statement, first)).length < requests.length) {
      // Prisma compacted the calls: its statements answered all of them together.
      const targets: QueryContext[] = [];
      for (const one of requests) {
        const context = one[CONTEXT];
        if (context && !targets.some((target) => target.scope === context.scope)) targets.push(context);
      }
      for (const statement of statements) recordShared(this.#statement(statement, targets[0]!.operation), targets);
      return;
    }
    // One plan per call, run in order: a statement on the next call's model starts that call.
    let current = -1;
    for (const statement of statements) {
      const next = requests[current + 1];
      if (next && (current === -1 || this.#starts(statement, next))) current += 1;
      const context = requests[current]![CONTEXT];
      context?.scope.record(this.#statement(statement, context.operation));
    }
  }

  #starts(statement: RawStatement, request: PrismaRequest): boolean {
    if (!request.modelName) return true;
    return (tableOf(statement.sql) ?? '').toLowerCase() === this.#schema.tableOf(request.modelName).toLowerCase();
  }

  #statement(statement: RawStatement, operation: PrismaOperation | undefined): QueryStatement {
    return { sql: statement.sql, params: statement.params, durationMs: statement.durationMs, operation };
  }
}
