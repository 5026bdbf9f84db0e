-- Salesforce opportunities closed won, counted on their close date.
{{ okr_salesforce_won('1') }}
