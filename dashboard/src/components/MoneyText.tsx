import { formatMoney, type Money } from '../lib/money';

/** An amount from minor units, formatted per currency and the browser's locale. */
export function MoneyText({ money }: { money: Money }) {
  return (
    <span className="money" data-minor={money.value} data-currency={money.currency}>
      {formatMoney(money)}
    </span>
  );
}
