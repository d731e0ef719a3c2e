import type { PageLanguage } from './language';

/** What the production phone page says, as plain text (the page escapes it); `site` is SITE_NAME. */
export interface AppPageText {
  title: (site: string) => string;
  scanned: (site: string) => string;
  openApp: (site: string) => string;
  /** Without APP_LINK_URL there is no link to open: the user starts from the app. */
  scanInApp: (site: string) => string;
  /** The link lacks a well-formed id and code. */
  badLink: string;
  noApp: string;
  appStore: string;
  playStore: string;
  /** The QRLJacking warning: a code someone sent you logs *them* in. */
  onlyYou: string;
}

export const APP_PAGE_TEXT: Record<PageLanguage, AppPageText> = {
  en: {
    title: (site) => `Log in to ${site}`,
    scanned: (site) => `You scanned a code to log in to ${site} on a computer. Open it in the ${site} app to continue.`,
    openApp: (site) => `Open in the ${site} app`,
    scanInApp: (site) => `Open the ${site} app and scan the code from there.`,
    badLink: 'This login link is incomplete. Scan the code on the computer screen again.',
    noApp: "Don't have the app?",
    appStore: 'Download on the App Store',
    playStore: 'Get it on Google Play',
    onlyYou: 'Continue only if you are logging in yourself, on a computer in front of you. Never for a code someone sent you.',
  },
  'zh-CN': {
    title: (site) => `登录 ${site}`,
    scanned: (site) => `你扫描了在电脑上登录 ${site} 的二维码。请在 ${site} App 中打开以继续。`,
    openApp: (site) => `在 ${site} App 中打开`,
    scanInApp: (site) => `请打开 ${site} App，在 App 内扫描此二维码。`,
    badLink: '此登录链接不完整。请重新扫描电脑屏幕上的二维码。',
    noApp: '还没有安装 App？',
    appStore: '在 App Store 下载',
    playStore: '在 Google Play 下载',
    onlyYou: '仅当你本人正在面前的电脑上登录时才继续。切勿为他人发给你的二维码确认登录。',
  },
  es: {
    title: (site) => `Iniciar sesión en ${site}`,
    scanned: (site) => `Has escaneado un código para iniciar sesión en ${site} en un ordenador. Ábrelo en la app de ${site} para continuar.`,
    openApp: (site) => `Abrir en la app de ${site}`,
    scanInApp: (site) => `Abre la app de ${site} y escanea el código desde ella.`,
    badLink: 'Este enlace de inicio de sesión está incompleto. Vuelve a escanear el código de la pantalla del ordenador.',
    noApp: '¿No tienes la app?',
    appStore: 'Descargar en el App Store',
    playStore: 'Disponible en Google Play',
    onlyYou: 'Continúa solo si eres tú quien inicia sesión, en un ordenador que tienes delante. Nunca con un código que te haya enviado otra persona.',
  },
};
