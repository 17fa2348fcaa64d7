// Drives the Candid UI in headless Chromium (Debian's /usr/bin/chromium, or $CHROMIUM, via
// playwright-core): opens a canister's page, then for each step fills the method's text
// inputs in order, clicks its Query/Call button and waits for the outcome; prints one JSON
// line with what the page showed and saves a full-page screenshot.
//
// Usage: node drive.mjs <page-url> <screenshot.png> '<steps>'
//   steps: JSON list of {"method": NAME, "inputs": [TEXT, ...]}
// Exits 0 with the JSON on stdout whatever the page showed: the caller judges it.
import { chromium } from 'playwright-core';

const [url, screenshot, stepsJson] = process.argv.slice(2);
if (!url || !screenshot || !stepsJson) {
  console.error("usage: node drive.mjs <page-url> <screenshot.png> '[{\"method\": NAME, \"inputs\": [TEXT]}]'");
  process.exit(2);
}
const steps = JSON.parse(stepsJson);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const report = { console: [], steps: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('console', (m) => report.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => report.console.push(`pageerror: ${e.message}`));
  report.status = (await page.goto(url))?.status();
  // The script marks the body ready (forms rendered) or failed (message in the page); a
  // page without the script (an error page) has neither.
  report.state = await page
    .waitForSelector('body[data-state]', { timeout: 30_000 })
    .then(() => page.getAttribute('body', 'data-state'), () => 'no script ran');
  report.methods = await page.$$eval('section.method', (ss) => ss.map((s) => s.dataset.method));
  for (const step of report.state === 'ready' ? steps : []) {
    const section = page.locator(`section.method[data-method="${step.method}"]`);
    const inputs = section.locator('input.argument');
    for (const [i, text] of step.inputs.entries()) {
      await inputs.nth(i).fill(text);
    }
    const button = section.locator('button.invoke');
    const results = section.locator('ul.results li');
    const before = await results.count();
    await button.click();
    await results.nth(before).waitFor({ timeout: 60_000 });
    const latest = results.first();
    report.steps.push({
      method: step.method,
      button: await button.textContent(),
      kind: await latest.getAttribute('class'),
      outcome: await latest.locator('.outcome').textContent(),
    });
  }
  report.text = await page.locator('main').innerText();
  await page.screenshot({ path: screenshot, fullPage: true });
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));
