import { Param, PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error';
import { ID_PREFIX, isIssuedId } from '../common/ids/id';

/** Refuses an id no payment can have with the 404 a look-up would give. */
class PaymentIdPipe implements PipeTransform<string, string> {
  transform(id: string): string {
    if (!isIssuedId(ID_PREFIX.payment, id)) throw new NotFoundError('Payment', id);
    return id;
  }
}

const pipe = new PaymentIdPipe();

/**
 * The path's payment `id`. One we never issue is 404 before the handler runs, so before anything
 * the handler writes first: an Idempotency-Key record, whose scope names the id (an overlong id
 * does not fit that column on MariaDB and PostgreSQL).
 */
export const PaymentIdParam = (): ParameterDecorator => Param('id', pipe);
