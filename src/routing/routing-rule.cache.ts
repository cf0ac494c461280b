import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RoutingRule } from './routing-rule.entity';
import { RULES_VERSION_ID } from './routing-version.entity';
import { CacheVersions } from './cache-versions';

/** Derived answers kept per version; beyond this the map starts over (amounts vary per cart). */
const MAX_DERIVED = 2000;

/**
 * The routing state of one version: the rules, and answers derived from rules and accounts.
 * One read of the version row gives a caller this whole view, so routing a payment reads the
 * version once however many lookups it makes.
 */
export class RoutingSnapshot {
  /** Per integration: its own rules and the rules for every integration, lowest priority first. */
  private readonly byIntegration = new Map<string, RoutingRule[]>();
  /** Answers computed from routing state (accounts, payment-method listings) for this version. */
  private readonly derived = new Map<string, Promise<unknown>>();

  constructor(
    readonly version: number,
    private readonly rules: RoutingRule[],
  ) {}

  rulesFor(integrationId: string): RoutingRule[] {
    let list = this.byIntegration.get(integrationId);
    if (!list) {
      list = this.rules.filter(
        (r) => r.integrationId === null || r.integrationId === integrationId,
      );
      this.byIntegration.set(integrationId, list);
    }
    return list;
  }

  /**
   * A value computed from routing state (rules, accounts, defaults), once per version and key.
   * `compute` starts after the version was read, so what it reads is at least that new; a write
   * on any instance bumps the version and the next snapshot computes again.
   */
  remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const known = this.derived.get(key);
    if (known) return known as Promise<T>;
    if (this.derived.size >= MAX_DERIVED) this.derived.clear();
    const value = compute();
    this.derived.set(key, value);
    value.catch(() => this.derived.delete(key));
    return value;
  }

  /**
   * Like remember(), for a lookup that may find nothing: only what was found is kept. A missing
   * row may be newer than this version (creating an account does not bump it), and ids that name
   * nothing (anyone can send them) take no room.
   */
  async rememberFound<T>(key: string, find: () => Promise<T | null>): Promise<T | null> {
    const known = this.derived.get(key);
    if (known) return known as Promise<T>;
    const found = await find();
    if (found !== null) void this.remember(key, () => Promise.resolve(found));
    return found;
  }
}

/**
 * All routing rules in memory. Routing a payment costs one read of the version row (shared with
 * the API-key check of the same request: `CacheVersions`); the rules themselves are reloaded
 * (one query) only when the version moved, which every rule write does in its own transaction,
 * on whichever instance it ran. Writes to provider accounts and to an integration's default
 * account bump the same version, so answers derived from rules and accounts (`remember`) are
 * dropped with the rules.
 */
@Injectable()
export class RoutingRuleCache {
  private snapshot: RoutingSnapshot | null = null;
  private reloading: Promise<RoutingSnapshot> | null = null;
  private reloadingVersion = -1;

  constructor(
    @InjectRepository(RoutingRule) private readonly rules: Repository<RoutingRule>,
    private readonly versions: CacheVersions,
  ) {}

  /** The routing state as of now: one read of the version row, a reload only when it moved. */
  async current(): Promise<RoutingSnapshot> {
    const version = await this.currentVersion();
    const snapshot = this.snapshot;
    return snapshot && snapshot.version >= version ? snapshot : this.reload(version);
  }

  async rulesFor(integrationId: string): Promise<RoutingRule[]> {
    return (await this.current()).rulesFor(integrationId);
  }

  async remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return (await this.current()).remember(key, compute);
  }

  async rememberFound<T>(key: string, find: () => Promise<T | null>): Promise<T | null> {
    return (await this.current()).rememberFound(key, find);
  }

  private async currentVersion(): Promise<number> {
    return (await this.versions.current(RULES_VERSION_ID)) ?? 0;
  }

  /**
   * One reload at a time. A reload labelled with version V read its rules after reading V, so
   * it holds V or newer; a caller that saw a newer version than the one in flight waits for it
   * and then loads again.
   */
  private async reload(version: number): Promise<RoutingSnapshot> {
    while (this.reloading && this.reloadingVersion < version)
      await this.reloading.catch(() => undefined);
    if (this.snapshot && this.snapshot.version >= version) return this.snapshot;
    if (this.reloading) return this.reloading;
    this.reloadingVersion = version;
    this.reloading = (async () => {
      try {
        const rules = await this.rules.find({ order: { priority: 'ASC', id: 'ASC' } });
        const snapshot = new RoutingSnapshot(version, rules);
        if (!this.snapshot || this.snapshot.version <= version) this.snapshot = snapshot;
        return snapshot;
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }
}
