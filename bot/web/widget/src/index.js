// Entry point of the bundle: <script src=".../widget.js" data-socket-url="http://127.0.0.1:5005"
// data-language="fr"></script> on any page adds the chat launcher and panel.
import { mount } from "./widget.js";

// Read while this script runs: `document.currentScript` is null afterwards.
const script = document.currentScript || document.querySelector("script[data-socket-url]");

function start() {
  mount(script);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start, { once: true });
} else {
  start();
}
