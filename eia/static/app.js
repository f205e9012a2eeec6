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
