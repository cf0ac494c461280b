import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RoutingRule } from './routing-rule.entity';
import { RoutingVersion, RULES_VERSION_ID } from './routing-version.entity';
import { RowStatements } from '../database/statements/row-statements';

interface Snapshot {
  version: number;
  rules: RoutingRule[];
  /** Per integration: its own rules and the rules for every integration, lowest priority first. */
  byIntegration: Map<string, RoutingRule[]>;
  /** Answers computed from routing state (payment-method listings), valid for this version. */
  derived: Map<string, Promise<unknown>>;
}

/** Derived answers kept per version; beyond this the map starts over (amounts vary per cart). */
const MAX_DERIVED = 2000;

/**
 * All routing rules in memory. Routing a payment costs one primary-key read of the version row;
 * the rules themselves are reloaded (one query) only when the version moved, which every rule
 * write does in its own transaction, on whichever instance it ran. Writes to provider accounts
 * and to an integration's default account bump the same version, so answers derived from rules
 * and accounts (`remember`) are dropped with the rules.
 */
@Injectable()
export class RoutingRuleCache {
  private snapshot: Snapshot | null = null;
  private reloading: Promise<Snapshot> | null = null;
  private reloadingVersion = -1;

  constructor(
    @InjectRepository(RoutingRule) private readonly rules: Repository<RoutingRule>,
    private readonly rows: RowStatements,
  ) {}

  async rulesFor(integrationId: string): Promise<RoutingRule[]> {
    const version = await this.currentVersion();
    let snapshot = this.snapshot;
    if (!snapshot || snapshot.version < version) snapshot = await this.reload(version);
    let list = snapshot.byIntegration.get(integrationId);
    if (!list) {
      list = snapshot.rules.filter(
        (r) => r.integrationId === null || r.integrationId === integrationId,
      );
      snapshot.byIntegration.set(integrationId, list);
    }
    return list;
  }

  /**
   * A value computed from routing state (rules, accounts, defaults), computed once per routing
   * version and key. `compute` starts after the version was read, so what it reads is at least
   * that new; a write on any instance bumps the version and the next call computes again.
   */
  async remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const version = await this.currentVersion();
    let snapshot = this.snapshot;
    if (!snapshot || snapshot.version < version) snapshot = await this.reload(version);
    const derived = snapshot.derived;
    const known = derived.get(key);
    if (known) return known as Promise<T>;
    if (derived.size >= MAX_DERIVED) derived.clear();
    const value = compute();
    derived.set(key, value);
    value.catch(() => derived.delete(key));
    return value;
  }

  private async currentVersion(): Promise<number> {
    return (await this.rows.valueById(RoutingVersion, RULES_VERSION_ID, 'version')) ?? 0;
  }

  /**
   * One reload at a time. A reload labelled with version V read its rules after reading V, so
   * it holds V or newer; a caller that saw a newer version than the one in flight waits for it
   * and then loads again.
   */
  private async reload(version: number): Promise<Snapshot> {
    while (this.reloading && this.reloadingVersion < version)
      await this.reloading.catch(() => undefined);
    if (this.snapshot && this.snapshot.version >= version) return this.snapshot;
    if (this.reloading) return this.reloading;
    this.reloadingVersion = version;
    this.reloading = (async () => {
      try {
        const rules = await this.rules.find({ order: { priority: 'ASC', id: 'ASC' } });
        const snapshot: Snapshot = {
          version,
          rules,
          byIntegration: new Map(),
          derived: new Map(),
        };
        if (!this.snapshot || this.snapshot.version <= version) this.snapshot = snapshot;
        return snapshot;
      } finally {
        this.reloading = null;
      }
    })();
    return this.reloading;
  }
}
