import { randomBytes } from 'node:crypto';
import { SecretBox } from './secret-box';

describe('SecretBox', () => {
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  it('seals and opens, never storing the plaintext', () => {
    const box = new SecretBox([oldKey]);
    const sealed = box.seal('{"apiKey":"test_abc"}');
    expect(sealed).not.toContain('test_abc');
    expect(box.open(sealed)).toBe('{"apiKey":"test_abc"}');
  });

  it('detects tampering', () => {
    const box = new SecretBox([oldKey]);
    const parts = box.seal('secret').split('.');
    parts[4] = Buffer.from('other!').toString('base64url');
    expect(() => box.open(parts.join('.'))).toThrow();
  });

  it('opens old ciphertexts after rotation and seals with the new key', () => {
    const sealedWithOld = new SecretBox([oldKey]).seal('secret');
    const rotated = new SecretBox([newKey, oldKey]);
    expect(rotated.open(sealedWithOld)).toBe('secret');
    expect(rotated.needsRotation(sealedWithOld)).toBe(true);
    expect(rotated.needsRotation(rotated.seal('secret'))).toBe(false);
    expect(() => new SecretBox([newKey]).open(sealedWithOld)).toThrow(
      /no configured encryption key/,
    );
  });
});
