// Mistake: refuses a bad request with a plain Error where the doc comment promises a RangeError
import type { FlowProducer, Job, JobNode } from 'bullmq';

/** Queue of the per-account child jobs. */
export const ACCOUNTS_QUEUE = 'accounts';
/** Queue of the report (parent) job. */
export const REPORTS_QUEUE = 'reports';

/** What one `summarize-account` child returns. */
export interface AccountSummary {
  accountId: number;
  totalCents: number;
}

/**
 * What the report does when an account's job fails for good (after its retries):
 * - `'fail'`: the report fails too, without running (`failParentOnFailure`);
 * - `'ignore'`: the report runs with the accounts that worked and lists the others (`ignoreDependencyOnFailure`).
 */
export type OnAccountFailure = 'fail' | 'ignore';

/** What {@link addAccountReport} is asked for. */
export interface AccountReportRequest {
  /** The day the report covers, `YYYY-MM-DD`. */
  date: string;
  /** The accounts to summarize: one child job each. */
  accountIds: number[];
  onAccountFailure: OnAccountFailure;
}

/** What the `build-report` parent returns. */
export interface AccountReport {
  date: string;
  /** The accounts whose summaries made it into the report. */
  accounts: number;
  totalCents: number;
  /** How many account jobs failed and were left out (only with `'ignore'`). */
  missingAccounts: number;
}

/**
 * `Sidekiq::Batch` with an `on(:success)` callback, as a BullMQ flow: one `summarize-account`
 * child per account on {@link ACCOUNTS_QUEUE} (data `{ accountId }`), and a `build-report`
 * parent on {@link REPORTS_QUEUE} (data `{ date }`) that runs only after its children.
 *
 * @throws RangeError when `accountIds` is empty or holds anything but positive whole numbers,
 * or `date` is not `YYYY-MM-DD`; nothing is enqueued then.
 */
export async function addAccountReport(flows: FlowProducer, request: AccountReportRequest): Promise<JobNode> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(request.date)) throw new Error(`date must be YYYY-MM-DD, got ${JSON.stringify(request.date)}`);
  if (request.accountIds.length === 0) throw new Error('accountIds is empty: a report needs at least one account');
  const bad = request.accountIds.find((id) => !Number.isInteger(id) || id < 1);
  if (bad !== undefined) throw new Error(`accountIds must be positive whole numbers, got ${JSON.stringify(bad)}`);

  const onFailure =
    request.onAccountFailure === 'fail' ? { failParentOnFailure: true } : { ignoreDependencyOnFailure: true };
  return flows.add({
    name: 'build-report',
    queueName: REPORTS_QUEUE,
    data: { date: request.date },
    children: request.accountIds.map((accountId) => ({
      name: 'summarize-account',
      queueName: ACCOUNTS_QUEUE,
      data: { accountId },
      opts: onFailure,
    })),
  });
}

/**
 * The `build-report` processor, Sidekiq's `on(:success)`: adds up the children's
 * {@link AccountSummary} return values and counts the ignored failures.
 */
export async function buildReport(job: Job<{ date: string }>): Promise<AccountReport> {
  const summaries = Object.values(await job.getChildrenValues<AccountSummary>());
  const ignored = Object.keys(await job.getIgnoredChildrenFailures());
  return {
    date: job.data.date,
    accounts: summaries.length,
    totalCents: summaries.reduce((sum, summary) => sum + summary.totalCents, 0),
    missingAccounts: ignored.length,
  };
}
