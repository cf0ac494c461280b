import { useQuery } from '@tanstack/react-query';
import { fetchClient } from '../../api/client';
import { useAllEndpoints } from '../../api/lists';
import type { NotificationDelivery, NotificationEndpoint, Payment } from '../../api/types';

const PAGES_PER_ENDPOINT = 3;

export interface PaymentNotification {
  endpoint: NotificationEndpoint;
  delivery: NotificationDelivery;
}

/**
 * The shop notifications about one payment. The deliveries API lists per endpoint, newest first,
 * without a payment filter: each endpoint's deliveries are read back to the payment's creation
 * (no older delivery can be about it), at most PAGES_PER_ENDPOINT pages of 100.
 */
export function usePaymentNotifications(payment: Payment | undefined) {
  const endpoints = useAllEndpoints();
  return useQuery({
    queryKey: [
      'payment-notifications',
      payment?.id,
      payment?.updatedAt,
      endpoints.data?.map((e) => e.id),
    ],
    enabled: Boolean(payment && endpoints.data),
    queryFn: async () => {
      const found: PaymentNotification[] = [];
      let complete = true;
      for (const endpoint of endpoints.data ?? []) {
        let cursor: string | undefined;
        for (let page = 0; ; page++) {
          if (page === PAGES_PER_ENDPOINT) {
            complete = false;
            break;
          }
          const { data, error } = await fetchClient.GET(
            '/api/v1/admin/notification-endpoints/{id}/deliveries',
            {
              params: { path: { id: endpoint.id }, query: { limit: 100, cursor } },
            },
          );
          if (error || !data) throw error ?? new Error('empty answer');
          for (const delivery of data.data)
            if (delivery.paymentId === payment!.id) found.push({ endpoint, delivery });
          const oldest = data.data[data.data.length - 1];
          if (!data.nextCursor || !oldest || oldest.createdAt < payment!.createdAt) break;
          cursor = data.nextCursor;
        }
      }
      return { notifications: found, complete };
    },
  });
}
