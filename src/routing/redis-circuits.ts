import { AuditService } from '../audit/audit.service';
import { DomainError } from '../common/errors/domain-error';
import type { RedisConnection } from '../common/redis/redis-connection';
import { TransactionService } from '../database/transaction.service';
import { Circuit, CircuitBreaker, CircuitChange } from './circuit-breaker';
import { SharedCircuits } from './shared-circuits.service';

/**
 * A failure counted, atomically (Redis runs a script alone): the breaker's rule applied to the
 * account's shared circuit. Times are kept as strings of milliseconds (cjson would round them).
 * KEYS: the circuits hash. ARGV: account, error, at (ms), threshold. Returns the new circuit.
 */
const FAILURE_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local c = raw and cjson.decode(raw) or {}
local failures = (tonumber(c.consecutiveFailures) or 0) + 1
local openedAt = cjson.null
local wasOpen = c.openedAt ~= nil and c.openedAt ~= cjson.null
if wasOpen or failures >= tonumber(ARGV[4]) then openedAt = ARGV[3] end
local out = cjson.encode({
  consecutiveFailures = failures,
  openedAt = openedAt,
  probeStartedAt = cjson.null,
  lastFailure = ARGV[2],
  lastFailureAt = ARGV[3],
})
redis.call('HSET', KEYS[1], ARGV[1], out)
return out
`;

/** A probe let through: noted on the account's circuit, if it still has one. ARGV: account, at. */
const PROBE_SCRIPT = `
local raw = redis.call('HGET', KEYS[1], ARGV[1])
if not raw then return 0 end
local c = cjson.decode(raw)
c.probeStartedAt = ARGV[2]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(c))
return 1
`;

const FAILURE_COMMAND = 'paymentserverCircuitFailure';
const PROBE_COMMAND = 'paymentserverCircuitProbe';
type RunScript = (...args: (string | number)[]) => Promise<unknown>;

interface StoredCircuit {
  consecutiveFailures: number;
  openedAt: string | null;
  probeStartedAt: string | null;
  lastFailure: string | null;
  lastFailureAt: string | null;
}

const time = (value: string | number | null | undefined) =>
  value === null || value === undefined ? null : Number(value);

function toCircuit(raw: string): Circuit {
  const stored = JSON.parse(raw) as StoredCircuit;
  return {
    consecutiveFailures: Number(stored.consecutiveFailures),
    openedAt: time(stored.openedAt),
    probeStartedAt: time(stored.probeStartedAt),
    lastFailure: stored.lastFailure ?? null,
    lastFailureAt: time(stored.lastFailureAt),
  };
}

/**
 * SharedCircuits in Redis (PAYMENTSERVER_REDIS_URL), instead of table provider_circuits: one
 * hash `<prefix>circuits`, account → its circuit as JSON (no field: closed, nothing counted).
 * A failure is counted and a probe noted by a script, a circuit closed by HDEL; every instance
 * reloads the hash every second (CircuitSyncJob), as with the database.
 *
 * Redis unreachable: a transition stays in this instance's view only and a reload changes
 * nothing, so each instance falls back to its own circuit breaker until Redis answers again
 * (warnings logged at most every ten seconds). An admin reset then fails (503) rather than
 * claim to have closed the circuit everywhere.
 */
export class RedisCircuits extends SharedCircuits {
  constructor(
    breaker: CircuitBreaker,
    private readonly redis: RedisConnection,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {
    super(breaker);
    redis.client.defineCommand(FAILURE_COMMAND, { numberOfKeys: 1, lua: FAILURE_SCRIPT });
    redis.client.defineCommand(PROBE_COMMAND, { numberOfKeys: 1, lua: PROBE_SCRIPT });
  }

  private get hash(): string {
    return this.redis.key('circuits');
  }

  private script(name: string): RunScript {
    const client = this.redis.client as unknown as Record<string, RunScript>;
    return (...args) => client[name].call(this.redis.client, ...args);
  }

  protected async readAll(): Promise<Map<string, Circuit> | null> {
    let all: Record<string, string>;
    try {
      all = await this.redis.client.hgetall(this.hash);
    } catch (error) {
      this.redis.warn('circuit reload', error as Error, 'this instance keeps its own view');
      return null;
    }
    return new Map(Object.entries(all).map(([id, raw]) => [id, toCircuit(raw)]));
  }

  protected async clear(accountId: string): Promise<void> {
    try {
      await this.redis.client.hdel(this.hash, accountId);
    } catch (error) {
      this.redis.warn('circuit reset', error as Error);
      // Not closed everywhere, so not said to be: 503, to be tried again (nothing was audited).
      throw new DomainError(
        'redis_unavailable',
        503,
        'Service unavailable',
        'Redis, where the circuits are shared, is unreachable; reset the circuit again in a moment',
      );
    }
    await this.tx.run((m) => this.audit.record(m, { targetId: accountId }));
  }

  protected async write(change: CircuitChange): Promise<void> {
    const { accountId } = change;
    if (change.kind === 'healthy') {
      await this.redis.client.hdel(this.hash, accountId);
    } else if (change.kind === 'probe') {
      await this.script(PROBE_COMMAND)(this.hash, accountId, String(change.at));
    } else {
      const raw = (await this.script(FAILURE_COMMAND)(
        this.hash,
        accountId,
        change.error.slice(0, 256),
        String(change.at),
        this.breaker.threshold,
      )) as string;
      this.breaker.adopt(accountId, toCircuit(raw));
    }
  }

  protected override failed(error: Error): void {
    this.redis.warn('circuit write', error, 'this instance keeps its own view');
  }
}
