// The browser tests' one driver layer: Chromium through playwright-core,
// Firefox through puppeteer-core over WebDriver BiDi, WebKit (WebKitGTK's
// MiniBrowser) through selenium-webdriver and WebKitWebDriver under Xvfb.
// It gives the tests only what they use: launch a browser (optionally on a
// persistent profile), open pages, goto/reload, evaluate and
// waitForFunction, a few user actions, screenshots, a download, and every
// console error and uncaught error of every page and worker
// (browser.errors). The Debian packages: chromium, firefox-esr,
// webkit2gtk-driver, xvfb (scripts/setup.sh).
//
// STRATA_BROWSERS=chromium,webkit (say) picks engines; the default is all three.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ENGINES = ['chromium', 'firefox', 'webkit'];
export const BROWSERS = (process.env.STRATA_BROWSERS ?? ENGINES.join(','))
  .split(',')
  .map((e) => e.trim())
  .filter((e) => {
    if (e !== '' && !ENGINES.includes(e)) throw new Error(`STRATA_BROWSERS: unknown engine ${e} (known: ${ENGINES.join(', ')})`);
    return e !== '';
  });
export const ENGINE_NAMES = { chromium: 'Chromium', firefox: 'Firefox', webkit: 'WebKit' };

export const EXECUTABLES = {
  chromium: process.env.CHROMIUM ?? '/usr/bin/chromium',
  firefox: process.env.FIREFOX ?? '/usr/bin/firefox-esr',
  webkit: process.env.WEBKIT_WEBDRIVER ?? '/usr/bin/WebKitWebDriver',
};
const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
const XVFB = '/usr/bin/Xvfb';

/**
 * What an engine cannot do here, and how tests cover it instead (their
 * names say so). Absent: the engine does it all.
 */
export const LIMITS = {
  webkit: {
    // WebKitWebDriver runs MiniBrowser on an ephemeral (in-memory) data store.
    restart: 'a WebKit session under WebDriver keeps its data in memory',
    // A download in a WebDriver session is saved nowhere.
    download: 'WebKit under WebDriver saves no download',
  },
};

// Headless Chromium on this kind of machine (TOOLCHAIN.md): no sandbox as
// root, no network chatter. Firefox gets the same quiet through prefs.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const FIREFOX_PREFS = {
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'browser.ping-centre.telemetry': false,
  'app.normandy.enabled': false,
  'app.update.enabled': false,
  'dom.push.enabled': false,
  'extensions.blocklist.enabled': false,
  'browser.download.folderList': 2,
  'browser.download.useDownloadDir': true,
  'browser.download.always_ask_before_handling_new_types': false,
  'browser.download.alwaysOpenPanel': false,
  'browser.download.manager.showWhenStarting': false,
};

// The npm packages come from the importing suite's own node_modules
// (wasm/ and web/ each pin them): a suite elsewhere passes its import().
let load = (name) => import(name);
export function setModuleLoader(importer) {
  load = importer;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls check() until it returns something truthy; throws `what` after timeout ms. */
async function until(check, timeout, what) {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms: ${what}`);
    await sleep(100);
  }
}

// A visible element, as playwright's waitForSelector means it.
const VISIBLE = (selector) => {
  const el = document.querySelector(selector);
  return !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
};

/**
 * Launches `engine`. options.profile: a directory kept across launches (the
 * engine's IndexedDB lives there; WebKit under WebDriver ignores it, see
 * LIMITS); options.viewport: { width, height }.
 * Resolves to a Browser: { engine, version, errors, newPage(), close() }.
 */
export async function launch(engine, options = {}) {
  const make = { chromium: launchChromium, firefox: launchFirefox, webkit: launchWebKit }[engine];
  if (!make) throw new Error(`unknown engine ${engine}`);
  const browser = await make(options);
  // browser.errors: the reports of the capturing proxies its pages were
  // loaded through, since it first used each (one browser at a time per origin).
  const marks = new Map(); // proxy -> how many of its reports came before
  browser.watch = (proxy) => {
    if (proxy && !marks.has(proxy)) marks.set(proxy, proxy.reports.length);
  };
  Object.defineProperty(browser, 'errors', {
    get: () => [...marks].flatMap(([proxy, from]) => proxy.reports.slice(from)),
  });
  /** Forgets the errors so far (a test that expected them). */
  browser.clearErrors = () => {
    for (const proxy of marks.keys()) marks.set(proxy, proxy.reports.length);
  };
  return browser;
}

/** The common part of every engine's page: waits, and errors in messages. */
class BasePage {
  constructor(browser) {
    this.browser = browser;
  }

  /** Loads url (through the capturing proxy of its origin). */
  async goto(url) {
    const [proxied, proxy] = await throughProxy(url);
    this.browser.watch(proxy);
    return this.open(proxied);
  }

  /** Waits until fn(arg) is truthy in the page (polled every 100 ms). */
  async waitForFunction(fn, arg, { timeout = 30_000 } = {}) {
    try {
      await this.waitFor(fn, arg, timeout);
    } catch (error) {
      const errors = this.browser.errors;
      error.message += errors.length ? `\nerrors in the browser:\n  ${errors.join('\n  ')}` : '';
      throw error;
    }
  }

  waitForSelector(selector, { timeout = 30_000 } = {}) {
    return this.waitForFunction(VISIBLE, selector, { timeout });
  }
}

/** A page of playwright (Chromium) or puppeteer (Firefox): the calls their pages share. */
class DevtoolsPage extends BasePage {
  constructor(browser, page) {
    super(browser);
    this.page = page;
  }
  open(url) {
    return this.page.goto(url);
  }
  reload() {
    return this.page.reload();
  }
  evaluate(fn, arg) {
    return this.page.evaluate(fn, arg);
  }
  close() {
    return this.page.close({ runBeforeUnload: false });
  }
}

// ------------------------------------------------------- errors, in every engine
//
// Playwright reports no error of a worker whose page handles it (as the
// package does), and WebDriver classic has no console or error events at
// all, so errors are captured the same way in every engine: pages are
// loaded through a proxy (one per origin, kept for the process) that puts a
// capture script first in every HTML page and in every script (it acts only
// in a worker's global, once). It reports console.error, uncaught errors and
// unhandled rejections of the page and its workers, nested ones too, back to
// the proxy, which also counts failed requests.

// The capture script, first in every page and in every script a worker runs
// (once per global). Reports go to the proxy as POST /__strata-capture.
const CAPTURE = `(() => {
  if (self.__strataCapture || (typeof WorkerGlobalScope === 'undefined' && typeof window === 'undefined')) return;
  self.__strataCapture = true;
  const where = typeof WorkerGlobalScope !== 'undefined' ? 'worker' : 'page';
  const post = (kind, body) => {
    try {
      fetch('/__strata-capture/' + kind, { method: 'POST', body: JSON.stringify(body), keepalive: true }).catch(() => {});
    } catch {}
  };
  const text = (v) => {
    if (v instanceof Error) return String(v.stack).includes(v.message) ? String(v.stack) : v.name + ': ' + v.message + '\\n' + v.stack;
    if (typeof v === 'string') return v;
    try {
      return JSON.stringify(v);
    } catch {
      return String(v);
    }
  };
  const report = (what, message) => post('error', { where, url: String(location.href), what, message });
  self.addEventListener('error', (e) => {
    if (e instanceof ErrorEvent) report('uncaught', e.error ? text(e.error) : e.message);
    else if (e.target && e.target !== self) report('load failed', String(e.target.src || e.target.href || e.target));
  }, true);
  self.addEventListener('unhandledrejection', (e) => report('unhandled rejection', text(e.reason)));
  const error = console.error;
  console.error = function (...args) {
    report('console', args.map(text).join(' '));
    return error.apply(this, args);
  };
  if (where === 'page' && !navigator.webdriver) {
    let result; /* without WebDriver (runWithoutWebDriver), a page's result is sent back */
    Object.defineProperty(window, 'testResult', {
      configurable: true,
      get: () => result,
      set: (value) => {
        result = value;
        post('result', { url: String(location.href), value });
      },
    });
  }
})();
`;

new Function(CAPTURE); // a syntax error here would stop every script of every page

const proxies = new Map();
/** The capturing proxy of origin ("http://127.0.0.1:N"); resolves to { url, reports, waiters }. */
function proxyFor(origin) {
  if (!proxies.has(origin)) {
    const proxy = { reports: [], results: [], waiters: new Set() };
    proxies.set(
      origin,
      new Promise((resolve, reject) => {
        const server = createServer(async (req, res) => {
          try {
            if (req.url.startsWith('/__strata-capture/')) {
              let body = '';
              for await (const chunk of req) body += chunk;
              const report = JSON.parse(body);
              if (req.url === '/__strata-capture/result') proxy.results.push(report);
              else proxy.reports.push(`${report.where} ${report.what} (${report.url.replace(/^https?:\/\/[^/]*/, '')}): ${report.message}`);
              for (const wake of proxy.waiters) wake();
              return void res.writeHead(204).end();
            }
            const chunks = [];
            for await (const chunk of req) chunks.push(chunk);
            const upstream = await fetch(origin + req.url, {
              method: req.method,
              body: chunks.length ? Buffer.concat(chunks) : undefined,
              redirect: 'manual',
            });
            const type = upstream.headers.get('content-type') ?? '';
            let body = Buffer.from(await upstream.arrayBuffer());
            if (upstream.status >= 400 && !req.url.endsWith('/favicon.ico')) proxy.reports.push(`request failed: ${req.method} ${req.url}: HTTP ${upstream.status}`);
            if (type.startsWith('text/html')) {
              const html = body.toString('utf8');
              const at = html.match(/^\s*<!doctype[^>]*>/i)?.[0].length ?? 0;
              body = Buffer.from(`${html.slice(0, at)}<script>${CAPTURE}</script>${html.slice(at)}`);
            } else if (/javascript/.test(type)) {
              body = Buffer.concat([Buffer.from(CAPTURE), body]);
            }
            const headers = { 'content-type': type, 'cache-control': 'no-store' };
            const location = upstream.headers.get('location');
            if (location) headers.location = location.startsWith(origin) ? location.slice(origin.length) : location;
            res.writeHead(upstream.status, headers).end(body);
          } catch (error) {
            proxy.reports.push(`request failed: ${req.method} ${req.url}: ${error.message}`);
            res.writeHead(502).end();
          }
        });
        server.unref();
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => {
          proxy.url = `http://127.0.0.1:${server.address().port}`;
          resolve(proxy);
        });
      }),
    );
  }
  return proxies.get(origin);
}

/** url with its origin replaced by its capturing proxy's; resolves to [url, proxy]. */
async function throughProxy(url) {
  const u = new URL(url);
  if (u.protocol !== 'http:') return [url, undefined];
  const proxy = await proxyFor(u.origin);
  return [proxy.url + u.pathname + u.search + u.hash, proxy];
}

// ---------------------------------------------------------------- Chromium

async function launchChromium({ profile, viewport } = {}) {
  const { chromium } = await load('playwright-core');
  const dir = profile ?? mkdtempSync(join(tmpdir(), 'strata-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: EXECUTABLES.chromium,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: viewport ?? { width: 1280, height: 720 },
    acceptDownloads: true,
  });
  const browser = {
    engine: 'chromium',
    version: context.browser()?.version() ?? 'unknown',
    async newPage() {
      const page = await context.newPage();
      return new ChromiumPage(browser, page);
    },
    async close() {
      await context.close();
      if (!profile) rmSync(dir, { recursive: true, force: true });
    },
  };
  return browser;
}

class ChromiumPage extends DevtoolsPage {
  waitFor(fn, arg, timeout) {
    return this.page.waitForFunction(fn, arg, { timeout, polling: 100 });
  }
  click(selector) {
    return this.page.click(selector);
  }
  hover(selector) {
    return this.page.hover(selector);
  }
  fill(selector, text) {
    return this.page.fill(selector, text);
  }
  press(selector, key) {
    return this.page.press(selector, key);
  }
  selectOption(selector, value) {
    return this.page.selectOption(selector, value);
  }
  setInputFiles(selector, file) {
    return this.page.setInputFiles(selector, file);
  }
  async screenshot(path, { selector, fullPage = false } = {}) {
    if (selector) await this.page.locator(selector).screenshot({ path });
    else await this.page.screenshot({ path, fullPage });
  }
  /** Runs trigger (which starts a download) and saves the file in dir; resolves to its path. */
  async download(trigger, dir) {
    const [download] = await Promise.all([this.page.waitForEvent('download'), trigger()]);
    const path = join(dir, download.suggestedFilename());
    await download.saveAs(path);
    return path;
  }
}

// ----------------------------------------------------------------- Firefox

async function launchFirefox({ profile, viewport } = {}) {
  const { default: puppeteer } = await load('puppeteer-core');
  const dir = profile ?? mkdtempSync(join(tmpdir(), 'strata-firefox-'));
  const downloads = mkdtempSync(join(tmpdir(), 'strata-firefox-downloads-'));
  const instance = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: EXECUTABLES.firefox,
    headless: true,
    userDataDir: dir,
    defaultViewport: viewport ?? { width: 1280, height: 720 },
    extraPrefsFirefox: { ...FIREFOX_PREFS, 'browser.download.dir': downloads },
  });
  const browser = {
    engine: 'firefox',
    version: (await instance.version()).replace(/^firefox\//, ''),
    downloads,
    async newPage() {
      const page = await instance.newPage({ type: 'window' }); // a window each: a background tab's timers are throttled
      return new FirefoxPage(browser, page);
    },
    async close() {
      await instance.close();
      rmSync(downloads, { recursive: true, force: true });
      if (!profile) rmSync(dir, { recursive: true, force: true });
    },
  };
  return browser;
}

class FirefoxPage extends DevtoolsPage {
  waitFor(fn, arg, timeout) {
    return this.page.waitForFunction(fn, { timeout, polling: 100 }, arg);
  }
  click(selector) {
    return this.page.locator(selector).click();
  }
  hover(selector) {
    return this.page.locator(selector).hover();
  }
  fill(selector, text) {
    return this.page.locator(selector).fill(text);
  }
  async press(selector, key) {
    await (await this.page.waitForSelector(selector)).press(key);
  }
  async selectOption(selector, value) {
    await this.page.waitForSelector(selector);
    await this.page.select(selector, value);
  }
  async setInputFiles(selector, file) {
    await (await this.page.waitForSelector(selector)).uploadFile(file);
  }
  async screenshot(path, { selector, fullPage = false } = {}) {
    if (selector) await (await this.page.waitForSelector(selector)).screenshot({ path });
    else await this.page.screenshot({ path, fullPage });
  }
  /** Firefox saves downloads to the browser's download directory (a pref); the file is moved to dir. */
  async download(trigger, dir) {
    const { downloads } = this.browser;
    const before = new Set(readdirSync(downloads));
    await trigger();
    const name = await until(
      () => readdirSync(downloads).find((f) => !before.has(f) && !f.endsWith('.part') && !existsSync(join(downloads, `${f}.part`)) && statSync(join(downloads, f)).size > 0),
      30_000,
      `a download in ${downloads}`,
    );
    const path = join(dir, name);
    try {
      renameSync(join(downloads, name), path);
    } catch {
      copyFileSync(join(downloads, name), path);
    }
    return path;
  }
}

// ------------------------------------------------------------------ WebKit
//
// WebKitWebDriver runs MiniBrowser in automation mode, which needs an X
// display: one Xvfb per process, started on first use.

const children = new Set();
const killChildren = () => {
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', killChildren);
// node --test ends a file that runs too long with SIGTERM: no Xvfb or browser outlives it.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    killChildren();
    process.kill(process.pid, signal);
  });
}

/** Spawns a process in a group of its own (killed with its children at exit). */
function spawnGroup(command, args, options) {
  const child = spawn(command, args, { ...options, detached: true });
  children.add(child);
  child.once('exit', () => children.delete(child));
  child.unref();
  return child;
}

function killGroup(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  children.delete(child);
}

let display;
/** The X display of this process's Xvfb (":N"), started on first use. */
function xvfb() {
  display ??= new Promise((resolve, reject) => {
    if (!existsSync(XVFB)) return reject(new Error(`${XVFB} is missing (Debian package xvfb)`));
    // -displayfd: Xvfb picks a free display and writes its number to fd 3.
    const child = spawnGroup(XVFB, ['-displayfd', '3', '-screen', '0', '1600x1200x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdio[3].on('data', (d) => {
      out += d;
      if (out.includes('\n')) {
        child.stdio[3].destroy();
        child.stderr.destroy();
        resolve(`:${out.trim()}`);
      }
    });
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.trim().split('\n').at(-1) ?? ''}`)));
    child.once('error', reject);
  });
  return display;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function launchWebKit({ viewport } = {}) {
  const { Builder } = await load('selenium-webdriver');
  if (!existsSync(EXECUTABLES.webkit)) throw new Error(`${EXECUTABLES.webkit} is missing (Debian package webkit2gtk-driver)`);
  const env = { ...process.env, DISPLAY: await xvfb() };
  const port = await freePort();
  const service = spawnGroup(EXECUTABLES.webkit, [`--port=${port}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  service.stderr.on('data', (d) => (stderr += d));
  service.stderr.unref?.();
  const server = `http://127.0.0.1:${port}`;
  let driver;
  try {
    await until(
      async () => {
        if (service.exitCode !== null) throw new Error(`WebKitWebDriver exited (${service.exitCode}): ${stderr.trim().split('\n').at(-1) ?? ''}`);
        return fetch(`${server}/status`).then((r) => r.ok, () => false);
      },
      10_000,
      'WebKitWebDriver to answer',
    );
    driver = await new Builder()
      .usingServer(server)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] } })
      .build();
    await driver.manage().setTimeouts({ script: 600_000, pageLoad: 120_000, implicit: 10_000 });
  } catch (error) {
    await driver?.quit().catch(() => {});
    killGroup(service);
    throw error;
  }
  const caps = await driver.getCapabilities();
  const home = await driver.getWindowHandle(); // stays open (about:blank): closing a page never ends the session
  // A window's rect includes MiniBrowser's frame (and it is at least 447 px wide).
  const { width, height } = viewport ?? { width: 1280, height: 720 };
  const [frameWidth, frameHeight] = await driver.executeScript('return [outerWidth - innerWidth, outerHeight - innerHeight]');
  const rect = { width: width + frameWidth, height: height + frameHeight };
  let current = home;
  let queue = Promise.resolve();
  const browser = {
    engine: 'webkit',
    version: caps.get('browserVersion') ?? 'unknown',
    driver,
    /** Runs op(driver) alone on the session, with page `handle` current. */
    run(handle, op) {
      const next = queue.then(async () => {
        if (handle && current !== handle) {
          await driver.switchTo().window(handle);
          current = handle;
        }
        return op(driver);
      });
      queue = next.catch(() => {});
      return next;
    },
    async newPage() {
      const handle = await browser.run(home, async () => {
        // A window each, sized: a page in a background tab is hidden, and its timers throttled.
        await driver.switchTo().newWindow('window');
        current = await driver.getWindowHandle();
        await driver.manage().window().setRect(rect);
        return current;
      });
      return new WebKitPage(browser, handle);
    },
    forget(handle) {
      if (current === handle) current = undefined;
    },
    async close() {
      await browser.run(undefined, () => driver.quit()).catch(() => {});
      killGroup(service);
    },
  };
  return browser;
}

const UNDEFINED = '\u0000undefined';
// Runs in the page: calls the function, sends back its value as JSON
// (undefined kept as a marker), or the error.
const EVALUATE = `const done = arguments[arguments.length - 1];
Promise.resolve()
  .then(() => (0, eval)('(' + arguments[0] + ')')(arguments[1]))
  .then(
    (v) => done({ value: JSON.stringify(v === undefined ? ${JSON.stringify(UNDEFINED)} : v, (k, x) => (x === undefined ? ${JSON.stringify(UNDEFINED)} : x)) }),
    (e) => done({ error: e instanceof Error && !String(e.stack).includes(e.message) ? e.name + ': ' + e.message + '\\n' + e.stack : String((e && e.stack) || e) }),
  );`;

new Function(EVALUATE);

function revive(value) {
  if (value === UNDEFINED) return undefined;
  if (Array.isArray(value)) return value.map(revive);
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) value[key] = revive(value[key]);
  }
  return value;
}

class WebKitPage extends BasePage {
  constructor(browser, handle) {
    super(browser);
    this.handle = handle;
  }
  run(op) {
    return this.browser.run(this.handle, op);
  }
  open(url) {
    return this.run((d) => d.get(url));
  }
  reload() {
    return this.run((d) => d.navigate().refresh());
  }
  async evaluate(fn, arg) {
    const result = await this.run((d) => d.executeAsyncScript(EVALUATE, String(fn), arg === undefined ? null : arg));
    if (result.error !== undefined) throw new Error(`evaluate: ${result.error}`);
    return revive(JSON.parse(result.value));
  }
  waitFor(fn, arg, timeout) {
    const script = `return !!(0, eval)('(' + arguments[0] + ')')(arguments[1]);`;
    return until(() => this.run((d) => d.executeScript(script, String(fn), arg === undefined ? null : arg)), timeout, `waiting for ${String(fn).slice(0, 200)}`);
  }
  async element(d, selector) {
    const { By } = await load('selenium-webdriver');
    return d.findElement(By.css(selector));
  }
  click(selector) {
    return this.run(async (d) => (await this.element(d, selector)).click());
  }
  hover(selector) {
    return this.run(async (d) => {
      const el = await this.element(d, selector);
      await d.executeScript('arguments[0].scrollIntoView({ block: "center" })', el);
      await d.actions().move({ origin: el }).perform();
    });
  }
  fill(selector, text) {
    return this.run(async (d) => {
      const el = await this.element(d, selector);
      await el.clear();
      await el.sendKeys(text);
    });
  }
  press(selector, key) {
    return this.run(async (d) => {
      const { Key } = await load('selenium-webdriver');
      const name = { Enter: 'ENTER' }[key] ?? key;
      await (await this.element(d, selector)).sendKeys(Key[name] ?? key);
    });
  }
  selectOption(selector, value) {
    return this.run(async (d) => (await this.element(d, `${selector} option[value="${value}"]`)).click());
  }
  setInputFiles(selector, file) {
    return this.run(async (d) => (await this.element(d, selector)).sendKeys(file));
  }
  /** Element screenshots as the others; a page screenshot is of the window only (WebDriver has no full-page one). */
  screenshot(path, { selector } = {}) {
    return this.run(async (d) => {
      const png = selector ? await (await this.element(d, selector)).takeScreenshot() : await d.takeScreenshot();
      writeFileSync(path, Buffer.from(png, 'base64'));
    });
  }
  /**
   * LIMITS.webkit.download: the file is read in the page instead, from the
   * link the page makes and clicks to save it (an <a download> to a blob or
   * data URL), and written to dir.
   */
  async download(trigger, dir) {
    await this.evaluate(() => {
      const click = HTMLAnchorElement.prototype.click;
      window.__strataDownload = new Promise((resolve) => {
        HTMLAnchorElement.prototype.click = function () {
          if (!this.hasAttribute('download')) return click.call(this);
          HTMLAnchorElement.prototype.click = click;
          const name = this.getAttribute('download');
          resolve(fetch(this.href).then(async (r) => ({ name, text: await r.text() })));
        };
      });
    });
    await trigger();
    const { name, text } = await this.evaluate(() => window.__strataDownload);
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }
  async close() {
    await this.run(async (d) => {
      await d.close();
      this.browser.forget(this.handle);
    });
  }
}

/**
 * LIMITS.webkit.restart covered: loads url in MiniBrowser without WebDriver
 * (its own process, on the real profile in profileDir, which outlives it),
 * waits for the page's window.testResult, then kills the browser (SIGKILL,
 * every process of it). Resolves to the result.
 */
export async function runWithoutWebDriver(url, profileDir, { timeout = 60_000 } = {}) {
  mkdirSync(profileDir, { recursive: true });
  const [proxied, proxy] = await throughProxy(url);
  const env = {
    ...process.env,
    DISPLAY: await xvfb(),
    HOME: profileDir,
    XDG_DATA_HOME: join(profileDir, 'data'),
    XDG_CACHE_HOME: join(profileDir, 'cache'),
    XDG_CONFIG_HOME: join(profileDir, 'config'),
  };
  const from = proxy.results.length;
  const child = spawnGroup(MINIBROWSER, [proxied], { env, stdio: 'ignore' });
  try {
    const found = () => proxy.results.slice(from).find((r) => r.url === proxied && r.value !== undefined);
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no result from ${url} in MiniBrowser after ${timeout} ms`)), timeout);
      const wake = () => {
        if (found()) resolve();
        else if (child.exitCode !== null) reject(new Error(`MiniBrowser exited (${child.exitCode}) before ${url} reported`));
        else return;
        clearTimeout(timer);
        proxy.waiters.delete(wake);
      };
      proxy.waiters.add(wake);
      child.once('exit', wake);
      wake();
    });
    return found().value;
  } finally {
    killGroup(child);
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)));
  }
}
