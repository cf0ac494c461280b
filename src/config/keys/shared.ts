/** Wording and units several key files share. */
export const DEV_ONLY = '`true` only with `NODE_ENV=development`';
export const DAY = 86_400;
