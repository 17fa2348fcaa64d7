// Drives a frontend served by an asset canister in headless Chromium (Debian's
// /usr/bin/chromium, or $CHROMIUM, via playwright-core): the page `kybra new --frontend`
// scaffolds. Opens the page, waits for it to show the backend's message, then (when a new
// message is given) submits the form, which calls the backend's update, and waits for the
// page to show the new message.
//
// Usage: node frontend.mjs <page-url> <screenshot.png> [NEW_MESSAGE]
// Prints ONE JSON line: { status, headers, state, shown, after, console }, where `shown` and
// `after` are the message the page displayed before and after the update. Exits 0 whatever
// the page showed: tests/e2e/test_projects.py judges it.
import { chromium } from 'playwright-core';

const [url, screenshot, newMessage] = process.argv.slice(2);
if (!url || !screenshot) {
  console.error('usage: node frontend.mjs <page-url> <screenshot.png> [NEW_MESSAGE]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const report = { console: [] };
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  page.on('console', (m) => report.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => report.console.push(`pageerror: ${e.message}`));
  const response = await page.goto(url);
  report.status = response?.status();
  report.headers = response ? await response.allHeaders() : {};
  report.state = await page
    .waitForSelector('body[data-state]', { timeout: 60_000 })
    .then(() => page.getAttribute('body', 'data-state'), () => 'no script ran');
  report.shown = await page.locator('#message').textContent();
  if (newMessage !== undefined && report.state === 'ready') {
    await page.fill('#new-message', newMessage);
    await page.click('#set button[type=submit]');
    await page.waitForFunction(
      (m) => document.getElementById('message').textContent === m
        || document.getElementById('status').textContent.startsWith('The update failed'),
      newMessage,
      { timeout: 60_000 },
    );
    report.after = await page.locator('#message').textContent();
    report.status_line = await page.locator('#status').textContent();
  }
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
