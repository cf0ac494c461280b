import 'reflect-metadata';
import { IsInt, IsString, MetadataStorage, Min, ValidateNested, validate } from 'class-validator';
import { plainToInstance, Type } from 'class-transformer';
import { cacheValidationMetadata } from './validation-metadata-cache';

describe('cacheValidationMetadata', () => {
  class Amount {
    @IsInt()
    @Min(1)
    value!: number;
  }
  class Base {
    @IsString()
    description!: string;
  }
  class Create extends Base {
    @ValidateNested()
    @Type(() => Amount)
    amount!: Amount;
  }

  beforeAll(() => cacheValidationMetadata());

  async function errors(plain: object): Promise<string[]> {
    const found = await validate(plainToInstance(Create, plain));
    const names = (list: typeof found, parent = ''): string[] =>
      list.flatMap((e) => [
        ...Object.keys(e.constraints ?? {}).map((rule) => `${parent}${e.property}:${rule}`),
        ...names(e.children ?? [], `${parent}${e.property}.`),
      ]);
    return names(found).sort();
  }

  it('gives the same answers as without it, inherited and nested rules included, every time', async () => {
    for (let round = 0; round < 3; round++) {
      expect(await errors({ description: 'x', amount: { value: 5 } })).toEqual([]);
      expect(await errors({ description: 7, amount: { value: 0 } })).toEqual([
        'amount.value:min',
        'description:isString',
      ]);
    }
  });

  it('forgets what it knew when a rule is added later', async () => {
    expect(await errors({ description: 'x', amount: { value: 5 } })).toEqual([]);
    // A decorator applied after the first validation (what a class loaded later does).
    Min(10)(Amount.prototype, 'value');
    expect(await errors({ description: 'x', amount: { value: 5 } })).toEqual(['amount.value:min']);
  });

  it('is installed once per storage', () => {
    const storage = new MetadataStorage();
    cacheValidationMetadata(storage as never);
    const patched = storage.getTargetValidationMetadatas;
    cacheValidationMetadata(storage as never);
    expect(storage.getTargetValidationMetadatas).toBe(patched);
  });
});
