"""calmline beside the helpdesks a team already runs: Chatwoot and Zendesk.

What is here today: clients for each helpdesk's documented REST API (`chatwoot`, `zendesk`), the
actions calmline takes there when it escalates or closes a case (`actions.ActionSink`: a note
with the reasons, tags from the playbook's routes, priority, the summary at close), history
exports for insights, and the checks behind `calmline integrations check`. The helpdesks' event
intake (their webhooks into calmline) and the panel beside the composer come in the next step;
docs/integrations/ says which parts exist.
"""
