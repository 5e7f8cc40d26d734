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
  throw new Error(
    'TODO(chapter 8): validate the request, then flows.add() a build-report parent with one summarize-account child per account, with the child option that matches onAccountFailure',
  );
}

/**
 * The `build-report` processor, Sidekiq's `on(:success)`: adds up the children's
 * {@link AccountSummary} return values and counts the ignored failures.
 */
export async function buildReport(job: Job<{ date: string }>): Promise<AccountReport> {
  throw new Error('TODO(chapter 8): add up job.getChildrenValues() and count job.getIgnoredChildrenFailures()');
}
