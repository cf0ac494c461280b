/** What the shop tells about the customer (all optional; passed on to the PSP where it takes it). */
export interface CustomerInfo {
  email?: string;
  name?: string;
  locale?: string;
  country?: string;
}
