import { getMetadataStorage } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Storage = ReturnType<typeof getMetadataStorage> & {
  addValidationMetadata(metadata: ValidationMetadata): void;
  getTargetValidationMetadatas(
    target: object,
    targetSchema: string,
    always: boolean,
    strictGroups: boolean,
    groups?: string[],
  ): ValidationMetadata[];
  groupByPropertyName(metadata: ValidationMetadata[]): Record<string, ValidationMetadata[]>;
};

const installed = Symbol('validationMetadataCache');

/**
 * class-validator looks up a class's rules again for every object it validates: a filter over
 * the class's rules plus an `instanceof` test against every validated class of the application
 * (for inherited rules), then groups them by property. That is the same answer every time once
 * the decorators have run, and it was a sixth of the validation of a create. This remembers the
 * answers, and forgets them all whenever a rule is added (a class decorated later).
 */
export function cacheValidationMetadata(storage = getMetadataStorage() as Storage): void {
  const target = storage as Storage & { [installed]?: true };
  if (target[installed]) return;
  target[installed] = true;

  let byTarget = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();
  const addValidationMetadata = storage.addValidationMetadata.bind(storage);
  const getTargetValidationMetadatas = storage.getTargetValidationMetadatas.bind(storage);
  const groupByPropertyName = storage.groupByPropertyName.bind(storage);

  // addValidationSchema goes through addValidationMetadata too.
  storage.addValidationMetadata = (metadata) => {
    byTarget = new Map();
    grouped = new WeakMap();
    addValidationMetadata(metadata);
  };
  storage.getTargetValidationMetadatas = (
    constructor,
    targetSchema,
    always,
    strictGroups,
    groups,
  ) => {
    const key = `${targetSchema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0000') ?? ''}`;
    let forTarget = byTarget.get(constructor);
    if (!forTarget) byTarget.set(constructor, (forTarget = new Map()));
    let metadata = forTarget.get(key);
    if (!metadata) {
      metadata = getTargetValidationMetadatas(
        constructor,
        targetSchema,
        always,
        strictGroups,
        groups,
      );
      forTarget.set(key, metadata);
    }
    return metadata;
  };
  // The executor only reads the grouping (it filters into new arrays), so one per list will do.
  storage.groupByPropertyName = (metadata) => {
    let result = grouped.get(metadata);
    if (!result) grouped.set(metadata, (result = groupByPropertyName(metadata)));
    return result;
  };
}
