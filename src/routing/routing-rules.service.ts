import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, In, Repository } from 'typeorm';
import { TransactionService } from '../database/transaction.service';
import { AuditService } from '../audit/audit.service';
import { FieldError, NotFoundError, ValidationError } from '../common/errors/domain-error';
import { newId } from '../common/ids/id';
import { Integration } from '../integrations/integration.entity';
import { ProviderAccount } from '../providers/provider-account.entity';
import { RoutingRule } from './routing-rule.entity';
import { bumpRoutingVersion } from './routing-version';
import { allowsIntegration } from './account-eligibility';
import type {
  CreateRoutingRuleDto,
  ListRoutingRulesQuery,
  UpdateRoutingRuleDto,
} from './dto/routing-rule.dto';
import { DEFAULT_PAGE_SIZE } from '../common/http/page.query';
import { integerCursor } from '../common/http/cursor';
import { keysetPage } from '../common/http/keyset-page';

const RULE_ID_PREFIX = 'rr';

/** Admin reads and writes of routing rules. Every write bumps the rules version (cache invalidation). */
@Injectable()
export class RoutingRulesService {
  constructor(
    @InjectRepository(RoutingRule) private readonly rules: Repository<RoutingRule>,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateRoutingRuleDto): Promise<RoutingRule> {
    const now = new Date();
    const rule: RoutingRule = {
      id: newId(RULE_ID_PREFIX),
      name: dto.name,
      priority: dto.priority,
      enabled: dto.enabled ?? true,
      integrationId: dto.integrationId ?? null,
      conditions: stripUndefined({ ...(dto.conditions ?? {}) }),
      targets: dto.targets.map((t) => ({
        providerAccountId: t.providerAccountId,
        weight: t.weight,
      })),
      fallback: dto.fallback ?? [],
      createdAt: now,
      updatedAt: now,
    };
    await this.tx.run(async (m) => {
      await bumpRoutingVersion(m); // first write: serialises rule writers
      await this.check(m, rule);
      await m.insert(RoutingRule, rule);
      await this.audit.record(m, { targetId: rule.id });
    });
    return rule;
  }

  async get(id: string): Promise<RoutingRule> {
    const rule = await this.rules.findOneBy({ id });
    if (!rule) throw new NotFoundError('Routing rule', id);
    return rule;
  }

  /** Lowest priority first (the order they are evaluated in). */
  async list(
    query: ListRoutingRulesQuery,
  ): Promise<{ data: RoutingRule[]; nextCursor: string | null }> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const qb = this.rules.createQueryBuilder('r');
    if (query.integrationId) {
      qb.andWhere(
        new Brackets((w) =>
          w
            .where('r.integrationId = :iid', { iid: query.integrationId })
            .orWhere('r.integrationId IS NULL'),
        ),
      );
    }
    return keysetPage(qb, {
      cursor: query.cursor,
      limit,
      key: 'priority',
      order: 'ASC',
      codec: integerCursor,
    });
  }

  async update(id: string, dto: UpdateRoutingRuleDto): Promise<RoutingRule> {
    return this.tx.run(async (m) => {
      await bumpRoutingVersion(m); // first write: serialises rule writers
      const rule = await m.findOneBy(RoutingRule, { id });
      if (!rule) throw new NotFoundError('Routing rule', id);
      if (dto.name !== undefined) rule.name = dto.name;
      if (dto.priority !== undefined) rule.priority = dto.priority;
      if (dto.enabled !== undefined) rule.enabled = dto.enabled;
      if (dto.integrationId !== undefined) rule.integrationId = dto.integrationId;
      if (dto.conditions !== undefined) rule.conditions = stripUndefined({ ...dto.conditions });
      if (dto.targets !== undefined)
        rule.targets = dto.targets.map((t) => ({
          providerAccountId: t.providerAccountId,
          weight: t.weight,
        }));
      if (dto.fallback !== undefined) rule.fallback = dto.fallback;
      rule.updatedAt = new Date();
      await this.check(m, rule);
      await m.update(
        RoutingRule,
        { id },
        {
          name: rule.name,
          priority: rule.priority,
          enabled: rule.enabled,
          integrationId: rule.integrationId,
          conditions: rule.conditions,
          targets: rule.targets,
          fallback: rule.fallback,
          updatedAt: rule.updatedAt,
        },
      );
      await this.audit.record(m);
      return rule;
    });
  }

  async remove(id: string): Promise<void> {
    await this.tx.run(async (m) => {
      await bumpRoutingVersion(m); // first write: serialises rule writers
      const result = await m.delete(RoutingRule, { id });
      if (!result.affected) throw new NotFoundError('Routing rule', id);
      await this.audit.record(m);
    });
  }

  /** References and cross-field rules that a DTO cannot express; all problems at once. */
  private async check(m: EntityManager, rule: RoutingRule): Promise<void> {
    const errors: FieldError[] = [];
    const { amountMin, amountMax } = rule.conditions;
    if (amountMin !== undefined && amountMax !== undefined && amountMin > amountMax) {
      errors.push({
        field: 'conditions.amountMax',
        message: `must not be below amountMin (${amountMin})`,
      });
    }
    if (rule.integrationId && !(await m.existsBy(Integration, { id: rule.integrationId }))) {
      errors.push({ field: 'integrationId', message: 'is not an integration' });
    }
    const ids = [...rule.targets.map((t) => t.providerAccountId), ...rule.fallback];
    const known = new Map(
      (
        await m.find(ProviderAccount, {
          select: { id: true, integrationIds: true },
          where: { id: In(ids) },
        })
      ).map((a) => [a.id, a]),
    );
    // A rule may name only accounts its integration may use; a rule for every integration, only shared ones.
    const forbidden = (id: string): string | null => {
      const account = known.get(id)!;
      if (rule.integrationId === null) {
        return account.integrationIds === null
          ? null
          : `names provider account ${id}, which only some integrations may use (integrationIds); a rule for every integration may name only shared accounts`;
      }
      return allowsIntegration(account, rule.integrationId)
        ? null
        : `names provider account ${id}, which integration ${rule.integrationId} may not use (integrationIds)`;
    };
    const seen = new Set<string>();
    rule.targets.forEach((target, i) => {
      const field = `targets[${i}].providerAccountId`;
      if (!known.has(target.providerAccountId))
        errors.push({ field, message: 'is not a provider account' });
      else if (seen.has(target.providerAccountId))
        errors.push({ field, message: 'names an account that is already a target' });
      else if (forbidden(target.providerAccountId))
        errors.push({ field, message: forbidden(target.providerAccountId)! });
      seen.add(target.providerAccountId);
    });
    rule.fallback.forEach((id, i) => {
      if (!known.has(id))
        errors.push({ field: `fallback[${i}]`, message: 'is not a provider account' });
      else if (forbidden(id)) errors.push({ field: `fallback[${i}]`, message: forbidden(id)! });
    });
    const clash = await m
      .createQueryBuilder(RoutingRule, 'r')
      .where('r.priority = :p', { p: rule.priority })
      .andWhere('r.id <> :id', { id: rule.id })
      .andWhere(
        new Brackets((w) => {
          if (rule.integrationId === null) return w.where('1 = 1');
          return w
            .where('r.integrationId IS NULL')
            .orWhere('r.integrationId = :iid', { iid: rule.integrationId });
        }),
      )
      .getOne();
    if (clash) {
      errors.push({
        field: 'priority',
        message: `rule ${clash.id} ("${clash.name}") already has priority ${rule.priority} for ${clash.integrationId && rule.integrationId ? 'this integration' : 'an overlapping set of integrations'}; priorities must be unique among rules that can apply to the same payment`,
      });
    }
    if (errors.length > 0) throw new ValidationError(errors);
  }
}

function stripUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[])
    if (value[key] === undefined) delete value[key];
  return value;
}
