// Marks the page as able to run GOV.UK Frontend (done here, not inline, to keep the CSP strict),
// then starts its components.
import { initAll } from "./govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
