import { integersAsBigInt } from './sqlite-integer-parameters';

describe('integersAsBigInt', () => {
  it('hands safe integers over as BigInt and leaves every other value alone', () => {
    const date = new Date();
    const bound = integersAsBigInt({ a: 1050, b: -3, c: 1.5, d: 'x', e: true, f: date, g: null });
    expect(bound).toEqual({ a: 1050n, b: -3n, c: 1.5, d: 'x', e: true, f: date, g: null });
  });

  it('returns the same object when there is nothing to change', () => {
    const parameters = { a: 'x', b: 2 ** 60 };
    expect(integersAsBigInt(parameters)).toBe(parameters);
  });
});
