/**
 * Everything the demo pages say, in each language they are written in. The
 * server picks the language from Accept-Language, sets `<html lang>` and
 * fills the pages' static `{{page.key}}` slots from here; the page scripts
 * read `<html lang>` and take their live texts from here too. Plain text
 * only: the server escapes it, the scripts set it as textContent.
 */
export const DEMO_LANGUAGES = ['en', 'zh-CN', 'es'] as const;
export type DemoLanguage = (typeof DEMO_LANGUAGES)[number];

export interface LoginPageText {
  title: (site: string) => string;
  heading: (site: string) => string;
  gettingCode: string;
  scan: string;
  /** At phone width: the page cannot scan itself, the user types the code into the app. */
  enterCode: (site: string) => string;
  /** Followed by the user code: "Can't scan? In the app, enter BCDF-GHJK". */
  cantScan: string;
  qrLabel: string;
  expiredNewCode: string;
  scannedBy: (name: string) => string;
  someone: string;
  notYou: string;
  confirmed: string;
  cancelled: string;
  expiredRenewing: string;
  expired: string;
  newCode: string;
  checkingToken: string;
  tokenRefused: (status: number) => string;
  tokenUnchecked: (reason: string) => string;
  tryAgain: string;
  welcome: (name: string) => string;
  failed: (reason: string) => string;
  hint: string;
  openPhonePage: string;
  liveSocket: string;
  liveLongPoll: string;
  signOut: string;
  signOutFailed: string;
  /** After a sign-out (v1.1): from the phone, by the page's own button, or the token ran out. */
  signedOutRevoked: string;
  signedOutLogout: string;
  signedOutExpired: string;
  logInAgain: string;
}

export interface PhonePageText {
  title: (site: string) => string;
  heading: (site: string) => string;
  intro: (site: string) => string;
  continueAs: (name: string) => string;
  /** Names the site and the account: "Log in to Shop as Ana?" */
  ask: (site: string, name: string) => string;
  browser: string;
  os: string;
  ip: string;
  askedAt: string;
  warning: string;
  confirm: string;
  cancel: string;
  done: (browser: string) => string;
  cancelled: string;
  expired: string;
  alreadyScanned: string;
  invalidState: string;
  invalidCode: string;
  notFound: string;
  failed: (reason: string) => string;
  demoOff: (status: number) => string;
  noLink: string;
  /** The linked-devices list (v1.1): the browsers the user is logged in on. */
  devicesHeading: string;
  device: (browser: string, os: string, ip: string, since: string) => string;
  noDevices: string;
  signOut: string;
  signOutDevice: (browser: string, os: string) => string;
}

export interface DemoText {
  login: LoginPageText;
  phone: PhonePageText;
}

export const DEMO_TEXT: Record<DemoLanguage, DemoText> = {
  en: {
    login: {
      title: (site) => `Log in — ${site}`,
      heading: (site) => `Log in to ${site} with your phone`,
      gettingCode: 'Getting a code…',
      scan: 'Scan the code with your phone',
      enterCode: (site) => `Open the ${site} app and enter this code`,
      cantScan: "Can't scan? In the app, enter",
      qrLabel: 'QR code to log in: scan it with your phone',
      expiredNewCode: 'Expired — new code',
      scannedBy: (name) => `Scanned by ${name} — confirm on your phone`,
      someone: 'someone',
      notYou: 'Not you? Start over',
      confirmed: 'Confirmed — logging you in…',
      cancelled: 'Cancelled',
      expiredRenewing: 'Expired — getting a new code…',
      expired: 'Expired',
      newCode: 'New code',
      checkingToken: 'Logged in — checking the token…',
      tokenRefused: (status) => `The web token was refused (${status})`,
      tokenUnchecked: (reason) => `Could not check the web token: ${reason}`,
      tryAgain: 'Try again',
      welcome: (name) => `Welcome, ${name}`,
      failed: (reason) => `Something went wrong: ${reason}`,
      hint: "Scan the code with your phone's camera. No phone at hand?",
      openPhonePage: 'Open the phone page in another window',
      liveSocket: 'Live over WebSocket',
      liveLongPoll: 'Live over HTTP long polling',
      signOut: 'Sign out',
      signOutFailed: 'Could not sign out, try again',
      signedOutRevoked: 'Signed out from your phone',
      signedOutLogout: 'Signed out',
      signedOutExpired: 'Your session expired',
      logInAgain: 'Log in again',
    },
    phone: {
      title: (site) => `Confirm login — ${site}`,
      heading: (site) => `${site} app (demo)`,
      intro: (site) => `This page stands in for the ${site} mobile app. Sign in to the app as:`,
      continueAs: (name) => `Continue as ${name}`,
      ask: (site, name) => `Log in to ${site} as ${name}?`,
      browser: 'Browser',
      os: 'System',
      ip: 'IP address',
      askedAt: 'Asked at',
      warning:
        'This computer is not on the same network as your phone. Confirm only if you are sitting in front of it yourself: someone may have sent you their QR code to take over your account.',
      confirm: 'Confirm',
      cancel: 'Cancel',
      done: (browser) => `Done — you are logged in on ${browser}.`,
      cancelled: 'Cancelled — the computer was not logged in.',
      expired: 'This code expired. The login page shows a new one: scan that.',
      alreadyScanned: 'Someone else already scanned this code.',
      invalidState: 'This login is no longer waiting for you (already used or cancelled).',
      invalidCode: 'This QR code is not valid.',
      notFound: 'This login does not exist (any more).',
      failed: (reason) => `Something went wrong: ${reason}`,
      demoOff: (status) => `The demo token endpoint answered ${status} (is DEMO on?)`,
      noLink: 'Open this page by scanning the QR code on the login page.',
      devicesHeading: 'Logged-in browsers',
      device: (browser, os, ip, since) => `${browser} on ${os} · ${ip} · since ${since}`,
      noDevices: 'Not logged in on any browser.',
      signOut: 'Sign out',
      signOutDevice: (browser, os) => `Sign out ${browser} on ${os}`,
    },
  },
  'zh-CN': {
    login: {
      title: (site) => `登录 — ${site}`,
      heading: (site) => `用手机登录 ${site}`,
      gettingCode: '正在获取二维码…',
      scan: '请用手机扫描二维码',
      enterCode: (site) => `打开 ${site} App 并输入此代码`,
      cantScan: '无法扫描？请在 App 中输入',
      qrLabel: '登录二维码：请用手机扫描',
      expiredNewCode: '已过期 — 已换新二维码',
      scannedBy: (name) => `${name} 已扫描 — 请在手机上确认`,
      someone: '某人',
      notYou: '不是你？重新开始',
      confirmed: '已确认 — 正在登录…',
      cancelled: '已取消',
      expiredRenewing: '已过期 — 正在获取新二维码…',
      expired: '已过期',
      newCode: '获取新二维码',
      checkingToken: '已登录 — 正在验证令牌…',
      tokenRefused: (status) => `网页令牌被拒绝（${status}）`,
      tokenUnchecked: (reason) => `无法验证网页令牌：${reason}`,
      tryAgain: '重试',
      welcome: (name) => `欢迎，${name}`,
      failed: (reason) => `出错了：${reason}`,
      hint: '请用手机相机扫描二维码。手边没有手机？',
      openPhonePage: '在新窗口中打开手机页面',
      liveSocket: '实时连接：WebSocket',
      liveLongPoll: '实时连接：HTTP 长轮询',
      signOut: '退出登录',
      signOutFailed: '退出登录失败，请重试',
      signedOutRevoked: '已在手机上将你退出登录',
      signedOutLogout: '已退出登录',
      signedOutExpired: '登录已过期',
      logInAgain: '重新登录',
    },
    phone: {
      title: (site) => `确认登录 — ${site}`,
      heading: (site) => `${site} App（演示）`,
      intro: (site) => `此页面模拟 ${site} 手机 App。请选择登录 App 的账号：`,
      continueAs: (name) => `以 ${name} 身份继续`,
      ask: (site, name) => `以 ${name} 的身份登录 ${site}？`,
      browser: '浏览器',
      os: '系统',
      ip: 'IP 地址',
      askedAt: '请求时间',
      warning: '这台电脑与你的手机不在同一网络。只有当你本人就在这台电脑前时才确认：可能有人把他们的二维码发给你，想盗用你的账号。',
      confirm: '确认登录',
      cancel: '取消',
      done: (browser) => `完成 — 你已在 ${browser} 上登录。`,
      cancelled: '已取消 — 电脑未登录。',
      expired: '此二维码已过期。登录页面已显示新的二维码，请扫描新码。',
      alreadyScanned: '此二维码已被其他人扫描。',
      invalidState: '此登录已不再等待你的确认（已使用或已取消）。',
      invalidCode: '此二维码无效。',
      notFound: '此登录不存在（或已失效）。',
      failed: (reason) => `出错了：${reason}`,
      demoOff: (status) => `演示令牌接口返回 ${status}（DEMO 是否已开启？）`,
      noLink: '请扫描登录页面上的二维码来打开此页面。',
      devicesHeading: '已登录的浏览器',
      device: (browser, os, ip, since) => `${os} 上的 ${browser} · ${ip} · 自 ${since}`,
      noDevices: '没有在任何浏览器上登录。',
      signOut: '退出登录',
      signOutDevice: (browser, os) => `让 ${os} 上的 ${browser} 退出登录`,
    },
  },
  es: {
    login: {
      title: (site) => `Iniciar sesión — ${site}`,
      heading: (site) => `Inicia sesión en ${site} con tu teléfono`,
      gettingCode: 'Obteniendo un código…',
      scan: 'Escanea el código con tu teléfono',
      enterCode: (site) => `Abre la app de ${site} e introduce este código`,
      cantScan: '¿No puedes escanear? En la app, introduce',
      qrLabel: 'Código QR para iniciar sesión: escanéalo con tu teléfono',
      expiredNewCode: 'Caducado: código nuevo',
      scannedBy: (name) => `Escaneado por ${name}: confirma en tu teléfono`,
      someone: 'alguien',
      notYou: '¿No eres tú? Empezar de nuevo',
      confirmed: 'Confirmado: iniciando sesión…',
      cancelled: 'Cancelado',
      expiredRenewing: 'Caducado: obteniendo un código nuevo…',
      expired: 'Caducado',
      newCode: 'Código nuevo',
      checkingToken: 'Sesión iniciada: comprobando el token…',
      tokenRefused: (status) => `El token web fue rechazado (${status})`,
      tokenUnchecked: (reason) => `No se pudo comprobar el token web: ${reason}`,
      tryAgain: 'Reintentar',
      welcome: (name) => `Te damos la bienvenida, ${name}`,
      failed: (reason) => `Algo salió mal: ${reason}`,
      hint: 'Escanea el código con la cámara de tu teléfono. ¿No tienes el teléfono a mano?',
      openPhonePage: 'Abre la página del teléfono en otra ventana',
      liveSocket: 'En directo por WebSocket',
      liveLongPoll: 'En directo por HTTP (long polling)',
      signOut: 'Cerrar sesión',
      signOutFailed: 'No se pudo cerrar la sesión, reinténtalo',
      signedOutRevoked: 'Sesión cerrada desde tu teléfono',
      signedOutLogout: 'Sesión cerrada',
      signedOutExpired: 'Tu sesión ha caducado',
      logInAgain: 'Iniciar sesión de nuevo',
    },
    phone: {
      title: (site) => `Confirmar inicio de sesión — ${site}`,
      heading: (site) => `App de ${site} (demo)`,
      intro: (site) => `Esta página hace de la app móvil de ${site}. Inicia sesión en la app como:`,
      continueAs: (name) => `Continuar como ${name}`,
      ask: (site, name) => `¿Iniciar sesión en ${site} como ${name}?`,
      browser: 'Navegador',
      os: 'Sistema',
      ip: 'Dirección IP',
      askedAt: 'Solicitado a las',
      warning:
        'Este ordenador no está en la misma red que tu teléfono. Confirma solo si estás delante de él: puede que alguien te haya enviado su código QR para quedarse con tu cuenta.',
      confirm: 'Confirmar',
      cancel: 'Cancelar',
      done: (browser) => `Listo: has iniciado sesión en ${browser}.`,
      cancelled: 'Cancelado: el ordenador no ha iniciado sesión.',
      expired: 'Este código ha caducado. La página de inicio de sesión muestra uno nuevo: escanea ese.',
      alreadyScanned: 'Otra persona ya ha escaneado este código.',
      invalidState: 'Este inicio de sesión ya no te espera (ya se usó o se canceló).',
      invalidCode: 'Este código QR no es válido.',
      notFound: 'Este inicio de sesión no existe (o ya no existe).',
      failed: (reason) => `Algo salió mal: ${reason}`,
      demoOff: (status) => `El endpoint de tokens de la demo respondió ${status} (¿está DEMO activado?)`,
      noLink: 'Abre esta página escaneando el código QR de la página de inicio de sesión.',
      devicesHeading: 'Navegadores con sesión iniciada',
      device: (browser, os, ip, since) => `${browser} en ${os} · ${ip} · desde las ${since}`,
      noDevices: 'No hay sesión iniciada en ningún navegador.',
      signOut: 'Cerrar sesión',
      signOutDevice: (browser, os) => `Cerrar la sesión de ${browser} en ${os}`,
    },
  },
};

/** The texts for a page whose `<html lang>` the server set; English for anything else. */
export function demoText(lang: string): DemoText {
  return (DEMO_LANGUAGES as readonly string[]).includes(lang) ? DEMO_TEXT[lang as DemoLanguage] : DEMO_TEXT.en;
}

/**
 * Fills a page's slots for `lang`: `{{lang}}`, `{{site}}`, and its texts
 * `{{login.heading}}`, `{{phone.confirm}}`, … (a text that takes an argument
 * gets the site name). `escape` makes each value safe for HTML. An unknown
 * slot is an error: a page must never show a raw `{{…}}`.
 */
export function fillSlots(html: string, lang: DemoLanguage, site: string, escape: (s: string) => string): string {
  const text = DEMO_TEXT[lang];
  return html.replace(/\{\{([a-zA-Z.]+)\}\}/g, (slot, name: string) => {
    if (name === 'lang') return escape(lang);
    if (name === 'site') return escape(site);
    const [page, key] = name.split('.') as [keyof DemoText, string];
    const value = (text[page] as unknown as Record<string, unknown> | undefined)?.[key];
    if (typeof value === 'string') return escape(value);
    if (typeof value === 'function') return escape((value as (site: string) => string)(site));
    throw new Error(`The demo page asks for ${slot}, which client/demo/i18n.ts does not have`);
  });
}
