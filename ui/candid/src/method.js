// One method of the service as a form: an input per argument built by @dfinity/candid's
// renderInput (the machinery dfx's Candid UI is built on, so every Candid type gets an
// input), a "Query" or "Call" button, and an output list where each result appears as
// Candid text, or the reject (code, error code, message) or error message.
import { ReplicaRejectCode } from '@dfinity/agent';
import { renderInput } from '@dfinity/candid';

const isQuery = (func) => func.annotations.includes('query') || func.annotations.includes('composite_query');

/** The values `actor[name]` resolved with, as one list whatever the number of results. */
function resultValues(func, result) {
  if (func.retTypes.length === 0) return [];
  if (func.retTypes.length === 1) return [result];
  return result;
}

/** `(v1, v2)`: the results in Candid text, as dfx prints them. */
function candidText(types, values) {
  return `(${types.map((t, i) => t.valueToString(values[i])).join(', ')})`;
}

/** A reject as `Rejected (CanisterError 5, IC0503): message`; other agent errors without their HTTP dump. */
function describeError(err) {
  const code = err?.cause?.code;
  if (code && typeof code.rejectMessage === 'string') {
    const kind = ReplicaRejectCode[code.rejectCode] ?? 'reject code';
    const errorCode = code.rejectErrorCode ? `, ${code.rejectErrorCode}` : '';
    return `Rejected (${kind} ${code.rejectCode}${errorCode}): ${code.rejectMessage}`;
  }
  if (code && typeof code.toErrorMessage === 'function') return `Error: ${code.toErrorMessage()}`;
  return `Error: ${err?.message ?? err}`;
}

function element(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function showOutcome(output, className, text, started) {
  const item = element('li', className);
  item.appendChild(element('span', 'outcome', text));
  item.appendChild(element('span', 'elapsed', ` (${((performance.now() - started) / 1000).toFixed(3)}s)`));
  output.prepend(item);
}

/** The form of method `name` of type `func` (an IDL.FuncClass); `invoke(...args)` calls it. */
export function renderMethod(name, func, invoke) {
  const section = element('section', 'method');
  section.dataset.method = name;
  const signature = `${func.argTypes.map((t) => t.display()).join(', ')}`;
  const results = `${func.retTypes.map((t) => t.display()).join(', ')}`;
  const title = element('h2');
  title.appendChild(element('span', 'name', name));
  title.appendChild(element('span', 'signature', `: (${signature}) → (${results})${func.annotations.map((a) => ` ${a}`).join('')}`));
  section.appendChild(title);

  const inputs = func.argTypes.map((t) => renderInput(t));
  const args = element('div', 'arguments');
  inputs.forEach((input) => input.render(args));
  section.appendChild(args);

  const button = element('button', 'invoke', isQuery(func) ? 'Query' : 'Call');
  button.type = 'button';
  section.appendChild(button);
  const output = element('ul', 'results');
  section.appendChild(output);

  // Keep the focus in the argument on press: its blur would show a parse error above the
  // button, moving it between press and release, and the click would be lost.
  button.addEventListener('mousedown', (event) => event.preventDefault());
  button.addEventListener('click', async () => {
    const values = inputs.map((input) => input.parse());
    if (inputs.some((input) => input.isRejected())) {
      showOutcome(output, 'error', 'Invalid argument: correct the fields marked in red.', performance.now());
      return;
    }
    const started = performance.now();
    button.disabled = true;
    try {
      const result = await invoke(...values);
      showOutcome(output, 'ok', candidText(func.retTypes, resultValues(func, result)), started);
    } catch (err) {
      showOutcome(output, 'error', describeError(err), started);
    } finally {
      button.disabled = false;
    }
  });
  return section;
}
