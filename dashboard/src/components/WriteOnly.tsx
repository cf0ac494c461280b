import type { ReactNode } from 'react';
import { useCanWrite } from '../api/operator-routes';

/** Write controls: hidden from read-only users (GET /api/v1/admin/me says canWrite: false). */
export function WriteOnly({ children }: { children: ReactNode }) {
  return useCanWrite() ? <>{children}</> : null;
}
