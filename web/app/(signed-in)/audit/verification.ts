import type { FormState } from '@/lib/api-problem';

/** The API's verdict on the audit hash chain (POST /v1/audit/verify). */
export interface ChainVerification {
  readonly verified: boolean;
  readonly from: string | null;
  readonly to: string | null;
  readonly lanes: number;
  readonly eventsChecked: number;
  readonly truncated: boolean;
  readonly problems: readonly ChainProblem[];
}

export type ChainProblemKind =
  | 'hash-mismatch'
  | 'broken-link'
  | 'sequence-gap'
  | 'time-regression'
  | 'head-mismatch';

export interface ChainProblem {
  readonly lane: number;
  readonly seq: number;
  readonly eventId: string | null;
  readonly kind: ChainProblemKind;
}

/** What the "Verify the chain" form gets back: the verdict, or why there is none. */
export interface VerificationState extends FormState {
  readonly result?: ChainVerification;
  readonly checkedAt?: string;
  /** Whether the last check was limited to the filters' time range. */
  readonly scoped?: boolean;
}
