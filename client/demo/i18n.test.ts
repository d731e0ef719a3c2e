import escapeHtml from 'escape-html';
import { DEMO_LANGUAGES, DEMO_TEXT, demoText, fillSlots } from './i18n';

describe('demo page texts', () => {
  test('fills lang, site and texts, escaping each; a text that takes an argument gets the site', () => {
    const html = '<html lang="{{lang}}"><title>{{login.title}}</title><p>{{phone.confirm}}</p><meta content="{{site}}">';
    expect(fillSlots(html, 'es', '<Shop & Co>', escapeHtml)).toBe(
      '<html lang="es"><title>Iniciar sesión — &lt;Shop &amp; Co&gt;</title><p>Confirmar</p><meta content="&lt;Shop &amp; Co&gt;">',
    );
  });

  test('an unknown slot is an error, never a raw {{…}} on a page', () => {
    expect(() => fillSlots('<p>{{login.nope}}</p>', 'en', 'Shop', escapeHtml)).toThrow(/login\.nope/);
    expect(() => fillSlots('<p>{{other.scan}}</p>', 'en', 'Shop', escapeHtml)).toThrow(/other\.scan/);
  });

  test('a page whose lang the server did not set reads English; every language has every text', () => {
    expect(demoText('fr')).toBe(DEMO_TEXT.en);
    expect(demoText('zh-CN')).toBe(DEMO_TEXT['zh-CN']);
    for (const lang of DEMO_LANGUAGES) {
      for (const page of ['login', 'phone'] as const) {
        expect(Object.keys(DEMO_TEXT[lang][page]).sort()).toEqual(Object.keys(DEMO_TEXT.en[page]).sort());
      }
    }
  });
});
