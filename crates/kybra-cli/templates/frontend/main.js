// Calls the NAME canister through the declarations `kybra generate NAME` wrote (the same
// files dfx generate writes): `NAME` is an actor for the canister id in env.js.
import { NAME } from "./declarations/NAME/index.js";

const message = document.getElementById("message");
const status = document.getElementById("status");

async function show() {
  message.textContent = await NAME.get_message();
  document.body.dataset.state = "ready";
}

document.getElementById("set").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("new-message");
  status.textContent = "Setting the message…";
  try {
    await NAME.set_message(input.value);
    status.textContent = "Done.";
    await show();
  } catch (error) {
    status.textContent = `The update failed: ${error}`;
  }
});

show().catch((error) => {
  message.textContent = `(cannot reach the canister: ${error})`;
  document.body.dataset.state = "error";
});
