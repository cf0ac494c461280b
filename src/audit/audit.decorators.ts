import { SetMetadata } from '@nestjs/common';

export const AUDITED_ACTION = 'audit:action';

export interface AuditedAction {
  /** `<targetType>.<verb>`, e.g. `provider_account.update`. */
  action: string;
  /** The route parameter naming the target; default `id`. Creates name theirs when written. */
  targetParam?: string;
  /** The target's type when it is not the action's prefix. */
  targetType?: string;
}

/**
 * Names the audit action of an admin write route. Every admin route that is not a GET (nor
 * marked read-only) is audited; without this its action is derived from the path and handler.
 */
export const Audited = (action: string, options: Omit<AuditedAction, 'action'> = {}) =>
  SetMetadata(AUDITED_ACTION, { action, ...options } satisfies AuditedAction);
