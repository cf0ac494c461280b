/** The development identity provider's well-known clients (development only). */
export const DEV_ADMIN_CLIENT_ID = 'paymentserver-admin';
export const DEV_ADMIN_CLIENT_SECRET = 'paymentserver-dev-secret';
export const DEV_DASHBOARD_CLIENT_ID = 'paymentserver-dashboard';
