/* Swagger descriptions of capture, cancel and refund, shared by the payment and admin APIs. */
import { applyDecorators } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { ProblemDetailsDto } from '../../common/errors/problem-details.dto';
import { PaymentDto } from './payment.response';

const SUMMARIES = {
  capture: 'Capture an authorized payment (all, or `amount`)',
  cancel: 'Cancel a pending or authorized payment',
};
const CAPTURE_CANCEL_DESCRIPTION =
  'When the provider answers, the payment comes back settled (`paid`, `canceled`). When its answer is lost (timeout, connection reset, 5xx, 429) the money may have moved: the payment comes back unchanged (`authorized`/`pending`) with `pendingOperation` set, and the server finds out from the provider (lookup, retry with the same provider idempotency key, webhook); a `payment.status_changed` event follows when it succeeds. A refusal by the provider is `422`. While an operation is pending, another capture, cancel or refund is `409`.';
export const REFUND_DESCRIPTION =
  'The amount is reserved at once. `201` with `status: "pending"` also when the provider\'s answer was lost: the refund stays pending, its amount reserved, until the provider settles it (lookup, retry with the same provider idempotency key, poll, webhook); a `refund.status_changed` event follows. Only a refusal by the provider (`422`), or its report that the refund failed, frees the amount.';

/** A capture or cancel route: answers with the payment, or one of these problems. */
export const ApiCaptureOrCancel = (operation: 'capture' | 'cancel') =>
  applyDecorators(
    ApiOperation({ summary: SUMMARIES[operation], description: CAPTURE_CANCEL_DESCRIPTION }),
    ApiOkResponse({ type: PaymentDto }),
    ApiNotFoundResponse({ type: ProblemDetailsDto }),
    ApiConflictResponse({ description: '`invalid_payment_state`', type: ProblemDetailsDto }),
    ApiUnprocessableEntityResponse({
      description: '`not_supported_by_provider`',
      type: ProblemDetailsDto,
    }),
  );
