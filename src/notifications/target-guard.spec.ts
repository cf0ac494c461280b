import { isInwardAddress, TargetGuard, TargetRefusedError } from './target-guard';

describe('TargetGuard', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
  ])('treats %s as inward', (address) => expect(isInwardAddress(address)).toBe(true));

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'treats %s as public',
    (address) => expect(isInwardAddress(address)).toBe(false),
  );

  it('refuses a literal loopback address without resolving', async () => {
    const resolve = jest.fn();
    const guard = new TargetGuard(false, resolve);
    await expect(guard.resolveTarget('127.0.0.1')).rejects.toBeInstanceOf(TargetRefusedError);
    await expect(guard.resolveTarget('[::1]')).rejects.toBeInstanceOf(TargetRefusedError);
    expect(resolve).not.toHaveBeenCalled();
  });

  it('refuses a name that resolves inward at delivery although it resolved outward when the endpoint was created (DNS rebinding)', async () => {
    const answers = [
      [{ address: '93.184.216.34', family: 4 }],
      [{ address: '127.0.0.1', family: 4 }],
    ];
    const guard = new TargetGuard(false, async () => answers.shift()!);
    await expect(guard.resolveTarget('shop.example')).resolves.toEqual([
      { address: '93.184.216.34', family: 4 },
    ]);
    await expect(guard.resolveTarget('shop.example')).rejects.toThrow(
      'resolves to a private or loopback address (127.0.0.1)',
    );
  });

  it('refuses a name when any of its addresses is inward', async () => {
    const guard = new TargetGuard(false, async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]);
    await expect(guard.resolveTarget('mixed.example')).rejects.toBeInstanceOf(TargetRefusedError);
  });

  it('allows inward addresses when private targets are allowed', async () => {
    const guard = new TargetGuard(true, async () => [{ address: '127.0.0.1', family: 4 }]);
    await expect(guard.resolveTarget('localhost')).resolves.toEqual([
      { address: '127.0.0.1', family: 4 },
    ]);
  });
});
