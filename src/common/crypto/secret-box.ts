import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Opened values kept by `openRemembered`; beyond this the map starts over. */
const MAX_REMEMBERED = 1000;

/**
 * AES-256-GCM for secrets at rest. Each ciphertext names the key that sealed it, so keys can
 * be rotated: the first configured key seals, every configured key can open.
 * Format: v1.<keyId>.<iv>.<tag>.<ciphertext> (base64url parts).
 */
export class SecretBox {
  private readonly keys: Map<string, Buffer>;
  private readonly currentId: string;
  private readonly opened = new Map<string, string>();

  constructor(keys: Buffer[]) {
    if (keys.length === 0 || keys.some((key) => key.length !== 32)) {
      throw new Error('SecretBox needs one or more 32-byte keys');
    }
    this.keys = new Map(keys.map((key) => [SecretBox.keyId(key), key]));
    this.currentId = SecretBox.keyId(keys[0]);
  }

  /** Id of the key that seals; sealed values start with `v1.<this id>.`. */
  get currentKeyId(): string {
    return this.currentId;
  }

  /** How many keys can open (more than one: a rotation is under way). */
  get keyCount(): number {
    return this.keys.size;
  }

  static keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentId)!, iv);
    cipher.setAAD(Buffer.from(this.currentId));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return ['v1', this.currentId, ...parts].join('.');
  }

  open(sealed: string): string {
    const [version, keyId, iv, tag, data] = sealed.split('.');
    if (version !== 'v1' || data === undefined) throw new Error('unrecognised ciphertext');
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no configured encryption key ${keyId}`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(keyId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }

  /**
   * `open`, remembered per sealed value: for values opened on every request (provider
   * credentials). A changed secret is a new sealed value, so nothing needs invalidating.
   */
  openRemembered(sealed: string): string {
    let plaintext = this.opened.get(sealed);
    if (plaintext === undefined) {
      plaintext = this.open(sealed);
      if (this.opened.size >= MAX_REMEMBERED) this.opened.clear();
      this.opened.set(sealed, plaintext);
    }
    return plaintext;
  }

  /** True when the value was sealed with an older key and should be re-sealed. */
  needsRotation(sealed: string): boolean {
    return sealed.split('.')[1] !== this.currentId;
  }
}
