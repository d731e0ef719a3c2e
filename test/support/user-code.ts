import type { BrowserContext } from 'playwright-core';

/** The user codes (protocol v1.1) of the login sessions the context's pages create, in order. */
export function userCodesOf(context: BrowserContext): string[] {
  const codes: string[] = [];
  context.on('response', (response) => {
    if (response.request().method() !== 'POST' || !/\/api\/login-sessions$/.test(response.url()) || response.status() !== 201) return;
    void response.json().then((body: { userCode?: string }) => body.userCode && codes.push(body.userCode));
  });
  return codes;
}

/** Makes the context's create answers those of a v1.0 server: no `userCode`. */
export async function withoutUserCodes(context: BrowserContext): Promise<void> {
  await context.route(/\/api\/login-sessions$/, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const response = await route.fetch();
    const { userCode: _dropped, ...body } = (await response.json()) as { userCode?: string };
    await route.fulfill({ response, json: body });
  });
}
