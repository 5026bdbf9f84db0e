"""Stakeholder outputs of a scoring run: the static scorecard site, its exports and the alerts.

`publish.publish_scorecard` writes the site and exports; `alerts.send_status_alerts` posts the KRs
whose status changed. `scorecard_data` (owned by the core) builds the scorecard dict they read.
"""
