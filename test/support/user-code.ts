import type { BrowserContext } from 'playwright-core';

/**
 * Protocol v1.1 create answers carry `userCode`. Until every server of the
 * test sends it, this gives the page one the way a v1.1 server would (8
 * letters of the RFC 8628 alphabet, `XXXX-XXXX`); an answer that has one
 * passes unchanged. Returns the user codes the page was given, in order.
 */
export async function userCodesOf(context: BrowserContext): Promise<string[]> {
  const codes: string[] = [];
  await context.route(/\/api\/login-sessions$/, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const response = await route.fetch();
    const body = (await response.json()) as { userCode?: string };
    if (response.status() === 201) {
      body.userCode ??= standInCode(codes.length);
      codes.push(body.userCode);
    }
    await route.fulfill({ response, json: body });
  });
  return codes;
}

const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
const standInCode = (n: number): string => {
  const letters = Array.from({ length: 8 }, (_, i) => ALPHABET[(n * 7 + i * 3) % ALPHABET.length]).join('');
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
};
