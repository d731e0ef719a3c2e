import { readSession, type Reply } from './client';

export { waitFor } from './wait';

/** Asserts a PROTOCOL.md error answer: the status, the code and exactly the `{error, message}` JSON shape. */
export function expectError(res: Reply, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: { error: code, message: expect.any(String) } });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body.message.length).toBeGreaterThan(0);
}

/**
 * Sends `request` and asserts it is refused with `status`/`code` and that the
 * login did not change: its browser-side snapshot is the same before and after.
 */
export async function expectRefused(
  base: string,
  login: { id: string; secret: string },
  request: () => Promise<Reply>,
  status: number,
  code: string,
): Promise<void> {
  const before = await readSession(base, login);
  expectError(await request(), status, code);
  expect(await readSession(base, login)).toEqual(before);
}
