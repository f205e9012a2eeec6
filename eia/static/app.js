// Marks the page as able to run GOV.UK Frontend (done here, not inline, to keep the CSP strict),
// then starts its components.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// GOV.UK Frontend marks a radio or checkbox that reveals a follow-up question with aria-expanded,
// which ARIA does not allow on those roles (axe: aria-allowed-attr). The reveal keeps working and
// stays announced through aria-controls; the attribute is taken off after each change.
const dropExpanded = () =>
  document
    .querySelectorAll(".govuk-radios__input[aria-expanded], .govuk-checkboxes__input[aria-expanded]")
    .forEach((input) => input.removeAttribute("aria-expanded"));
dropExpanded();
document.addEventListener("click", dropExpanded);
document.addEventListener("change", dropExpanded);
window.addEventListener("pageshow", dropExpanded);

// "Copy the paragraph": the text stays selectable without JavaScript; with it, a button (hidden until
// it can work) copies the text to the clipboard and says so in the live region after it.
document.querySelectorAll(".app-copy-button[data-copy-from]").forEach((button) => {
  const source = document.getElementById(button.dataset.copyFrom);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  const status = button.closest(".govuk-button-group")?.nextElementSibling;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      if (status) status.textContent = button.dataset.copied || "Copied";
    } catch {
      if (status) status.textContent = "Your browser did not allow copying: select the paragraph and copy it.";
    }
  });
});

// The GOV.UK timeout warning. The page says how many seconds the session has left (after the idle
// limit, and at the latest 12 hours after signing in); shortly before the end a modal dialog asks
// whether to stay signed in. Another tab may have kept the session going, so the server is asked
// before the warning opens. When the time runs out the page is reloaded and the server signs out.
const timeoutWarning = document.getElementById("timeout-warning");
if (timeoutWarning && typeof timeoutWarning.showModal === "function") {
  startTimeoutWarning(timeoutWarning);
}

function startTimeoutWarning(dialog) {
  const number = (value) => (value === undefined || value === "" || value === null ? null : Number(value));
  const warningLead = number(dialog.dataset.warningSeconds) * 1000;
  const stay = dialog.querySelector("[data-timeout-stay]");
  const carryOn = dialog.querySelector("[data-timeout-continue]");
  const announce = dialog.querySelector("[data-timeout-announce]");
  const token = dialog.querySelector("input[name=csrf_token]").value;
  let idleEnd = 0;
  let absoluteEnd = null;
  let timer = null;
  let ticker = null;
  let announced = "";
  let returnFocus = null;

  const setTimes = (times) => {
    const now = Date.now();
    idleEnd = now + number(times.idle_seconds) * 1000;
    const absolute = number(times.absolute_seconds);
    absoluteEnd = absolute === null ? null : now + absolute * 1000;
  };
  const isAbsolute = () => absoluteEnd !== null && absoluteEnd < idleEnd;
  const endsAt = () => (isAbsolute() ? absoluteEnd : idleEnd);
  const timeLeft = (ms) => {
    const seconds = Math.max(0, Math.ceil(ms / 1000));
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? "" : "s"}`;
    }
    return `${seconds} second${seconds === 1 ? "" : "s"}`;
  };
  const signedOut = () => window.location.assign(window.location.href);
  const timesFrom = async (response) => {
    const type = response.headers.get("Content-Type") || "";
    if (!response.ok || !type.includes("json")) return null;
    const body = await response.json();
    return body.idle_seconds === undefined ? null : body;
  };

  const tick = () => {
    const left = endsAt() - Date.now();
    if (left <= 0) {
      clearInterval(ticker);
      setTimeout(signedOut, 1000); // a moment after the end, so the server surely finds it over
      return;
    }
    const text = timeLeft(left);
    dialog.querySelectorAll("[data-timeout-countdown]").forEach((element) => {
      element.textContent = text;
    });
    // Screen readers hear the time left at each minute and at 30, 20 and 10 seconds, not every second.
    const seconds = Math.ceil(left / 1000);
    const worthSaying = seconds >= 60 || [30, 20, 10].includes(seconds);
    if (worthSaying && text !== announced) {
      announced = text;
      announce.textContent = `We will sign you out in ${text}.`;
    }
  };

  const open = () => {
    const absolute = isAbsolute();
    dialog.querySelector("[data-timeout-idle]").hidden = absolute;
    dialog.querySelector("[data-timeout-absolute]").hidden = !absolute;
    stay.hidden = absolute;
    carryOn.hidden = !absolute;
    announced = timeLeft(endsAt() - Date.now()); // the dialog's description says it as it opens
    tick();
    returnFocus = document.activeElement;
    dialog.showModal();
    ticker = setInterval(tick, 1000);
  };

  const close = () => {
    clearInterval(ticker);
    announce.textContent = "";
    if (dialog.open) dialog.close();
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
  };

  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(check, Math.max(0, endsAt() - warningLead - Date.now()));
  };

  async function check() {
    try {
      const times = await timesFrom(await fetch(dialog.dataset.statusUrl, { headers: { Accept: "application/json" } }));
      if (times === null) {
        signedOut();
        return;
      }
      setTimes(times);
    } catch {
      // Offline: go by this page's own clock.
    }
    if (endsAt() - Date.now() > warningLead + 1000) {
      schedule();
    } else {
      open();
    }
  }

  const staySignedIn = async () => {
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        headers: { Accept: "application/json", "X-CSRFToken": token },
      });
      const times = await timesFrom(response);
      if (times === null) {
        signedOut();
        return;
      }
      setTimes(times);
      close();
      schedule();
    } catch {
      announce.textContent = "We could not reach the service. Check your connection and try again.";
    }
  };

  stay.addEventListener("click", staySignedIn);
  carryOn.addEventListener("click", () => {
    close();
    clearTimeout(timer);
    timer = setTimeout(open, Math.max(0, endsAt() - 30000 - Date.now())); // once more, 30 seconds before
  });
  // Escape does what the main button does, as in GOV.UK's pattern.
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (stay.hidden) carryOn.click();
    else staySignedIn();
  });

  setTimes({ idle_seconds: dialog.dataset.idleSeconds, absolute_seconds: dialog.dataset.absoluteSeconds });
  schedule();
}

// Step one of the impacts: each group's one-line reason is for a neutral answer, so it shows once
// "Neutral" is chosen (without JavaScript it is always there, labelled for a neutral answer). A reason
// with a problem to fix stays in view.
document.querySelectorAll("[data-neutral-reason-for]").forEach((box) => {
  const radios = document.querySelectorAll(`input[type="radio"][name="${box.dataset.neutralReasonFor}"]`);
  const hasError = box.querySelector(".govuk-error-message") !== null;
  const update = () => {
    box.hidden = !hasError && !Array.from(radios).some((radio) => radio.checked && radio.value === "neutral");
  };
  radios.forEach((radio) => radio.addEventListener("change", update));
  update();
});
