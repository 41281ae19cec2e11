"""calmline beside the helpdesks a team already runs: Chatwoot and Zendesk.

What is here today: clients for each helpdesk's documented REST API (`chatwoot`, `zendesk`), the
actions calmline takes there when it escalates or closes a case (`actions.ActionSink`: a note
with the reasons, tags from the playbook's routes, priority, the summary at close), history
exports for insights, the checks behind `calmline integrations check`, and the reading of their
webhooks into calmline (`signatures`, `events`; the routes are service/routers/helpdesk_*.py).
The panel beside the composer is the console's `/console/panel/<helpdesk>` page; `zendesk_app`
packages it as Zendesk's ticket-sidebar app (`make zendesk-app`). docs/integrations/ says how.
"""
