import type { ComponentType } from 'react';
import {
  IconBell,
  IconBuildingBank,
  IconCreditCard,
  IconHistory,
  IconLayoutDashboard,
  IconPlugConnected,
  IconRoute,
  IconWebhook,
} from '@tabler/icons-react';

export interface NavItem {
  path: string;
  label: string;
  icon: ComponentType<{ size?: number; 'aria-hidden'?: boolean }>;
  /**
   * Screens on routes the server does not have yet (CONTRACT "Additions, version 2") stay out
   * of the navigation until those routes land; set to true with the screen.
   */
  available: boolean;
}

export const NAV_ITEMS: NavItem[] = [
  { path: '/', label: 'Overview', icon: IconLayoutDashboard, available: true },
  { path: '/payments', label: 'Payments', icon: IconCreditCard, available: true },
  {
    path: '/provider-accounts',
    label: 'Provider accounts',
    icon: IconBuildingBank,
    available: true,
  },
  { path: '/routing', label: 'Routing', icon: IconRoute, available: true },
  { path: '/notifications', label: 'Notifications', icon: IconBell, available: true },
  {
    path: '/integrations',
    label: 'Integrations and API keys',
    icon: IconPlugConnected,
    available: true,
  },
  { path: '/provider-webhooks', label: 'Provider webhooks', icon: IconWebhook, available: true },
  // GET /api/v1/admin/audit-events (api/operator-routes.ts): the screen says so while the server
  // answers 404.
  { path: '/audit-log', label: 'Audit log', icon: IconHistory, available: true },
];
