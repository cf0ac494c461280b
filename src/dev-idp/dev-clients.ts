/** The development identity provider's well-known clients (development only). */
export const DEV_ADMIN_CLIENT_ID = 'paymentserver-admin';
export const DEV_ADMIN_CLIENT_SECRET = 'paymentserver-dev-secret';
/** Read-only admin access (scope paymentserver:read): every admin GET, no write. */
export const DEV_VIEWER_CLIENT_ID = 'paymentserver-viewer';
export const DEV_VIEWER_CLIENT_SECRET = 'paymentserver-dev-viewer-secret';
/** The login name that signs in to the development provider as a read-only user. */
export const DEV_VIEWER_USER = 'viewer';
export const DEV_DASHBOARD_CLIENT_ID = 'paymentserver-dashboard';
